# Independent check of a Notation JWS envelope (python3-jwcrypto, python3-cryptography): the
# protected headers notation requires, and the signature with the leaf certificate of x5c.
# Usage: notation_jws_verify.py ENVELOPE; prints the signed digest, exits non-zero on any failure.
import sys, json, base64
from datetime import datetime
from jwcrypto import jws, jwk
from jwcrypto.common import JWSEHeaderParameter
from cryptography import x509

env_text = open(sys.argv[1]).read()
env = json.loads(env_text)
assert set(env) == {'payload', 'protected', 'header', 'signature'}, env.keys()
leaf = x509.load_der_x509_certificate(base64.b64decode(env['header']['x5c'][0]))
key = jwk.JWK.from_pyca(leaf.public_key())
hdr = json.loads(base64.urlsafe_b64decode(env['protected'] + '=' * (-len(env['protected']) % 4)))
assert hdr['cty'] == 'application/vnd.cncf.notary.payload.v1+json', hdr
assert hdr['io.cncf.notary.signingScheme'] == 'notary.x509', hdr
assert 'io.cncf.notary.signingScheme' in hdr['crit'], hdr
for name in hdr['crit']:
    assert name in hdr, name
datetime.fromisoformat(hdr['io.cncf.notary.signingTime'].replace('Z', '+00:00'))
registry = {name: JWSEHeaderParameter('Notary Project header', False, True, None) for name in ['io.cncf.notary.signingScheme', 'io.cncf.notary.signingTime', 'io.cncf.notary.expiry']}
token = jws.JWS(header_registry=registry)
token.deserialize(env_text)
token.verify(key, alg=hdr['alg'])
print(json.loads(token.payload)['targetArtifact']['digest'])
