# Independent check of a Notation COSE_Sign1 envelope (python3-cbor2, python3-cryptography): the
# protected headers notation requires, and the signature with the leaf certificate of x5chain.
# Usage: notation_cose_verify.py ENVELOPE; prints the signed digest, exits non-zero on any failure.
import sys, json
import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

tag = cbor2.loads(open(sys.argv[1], 'rb').read())
assert isinstance(tag, cbor2.CBORTag) and tag.tag == 18, 'not COSE_Sign1_Tagged'
protected, unprotected, payload, signature = tag.value
hdr = cbor2.loads(protected)
assert hdr[3] == 'application/vnd.cncf.notary.payload.v1+json', hdr
assert hdr['io.cncf.notary.signingScheme'] == 'notary.x509', hdr
assert 'io.cncf.notary.signingScheme' in hdr[2], hdr
for name in hdr[2]:
    assert name in hdr, name
assert hdr['io.cncf.notary.signingTime'] is not None
chain = unprotected[33]
leaf = x509.load_der_x509_certificate(chain[0] if isinstance(chain, list) else chain)
to_be_signed = cbor2.dumps(['Signature1', protected, b'', payload])
alg = hdr[1]
hash_for = {-7: hashes.SHA256(), -35: hashes.SHA384(), -36: hashes.SHA512(), -37: hashes.SHA256(), -38: hashes.SHA384(), -39: hashes.SHA512()}[alg]
key = leaf.public_key()
if alg in (-7, -35, -36):
    n = len(signature) // 2
    der = encode_dss_signature(int.from_bytes(signature[:n], 'big'), int.from_bytes(signature[n:], 'big'))
    key.verify(der, to_be_signed, ec.ECDSA(hash_for))
else:
    key.verify(signature, to_be_signed, padding.PSS(mgf=padding.MGF1(hash_for), salt_length=hash_for.digest_size), hash_for)
print(json.loads(payload)['targetArtifact']['digest'])
