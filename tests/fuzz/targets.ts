import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignetError } from '../../shared/errors';
import { buildAtomicPayload, buildCosignPayload } from '../../shared/payloads/payloads';
import { parseManifest } from '../../electron/core/registry/media';
import { extractTar, type TarSink } from '../../electron/core/registry/tar';
import { checkCosignPayload } from '../../electron/core/signatures/cosign';
import { decodeStoredSignature } from '../../electron/core/signatures/lookaside/blob';
import { parseRegistriesYaml } from '../../electron/core/signatures/lookaside/registries-d';
import { parseAttachmentPayload } from '../../electron/core/signatures/sigstore/attachment';
import { COSIGN_SIGN_PREDICATE, pae, verifyBundle, type TrustedKey } from '../../electron/core/signatures/sigstore/bundle';
import { verifySimple } from '../../electron/core/signatures/simple';
import { parsePolicy } from '../../electron/core/trust/policy';
import { describeMaterial } from '../../electron/core/trust/store';
import { vector } from '../vectors';
import { verifyNotation } from '../../electron/core/signatures/notation/verify';
import { defaultNotationTrust } from '../../electron/core/signatures/notation/trust';
import { parseNotationPolicy } from '../../electron/core/trust/notation-policy';
import { readTags } from '../../electron/core/signatures/tags';
import { withSignedRecord } from '../../electron/core/signatures/record';

/**
 * One parser under fuzz: its valid seeds and how to feed it one input. A SignetError (or, for
 * parsers that answer with a verdict or a reason, any answer at all) is an expected rejection;
 * anything else thrown is a finding.
 */
export interface Target {
  name: string;
  summary: string;
  seeds: Uint8Array[];
  run(input: Uint8Array): unknown;
  expected?(error: unknown): boolean;
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const file = (...parts: string[]) => readFileSync(vector(...parts));
const DIGEST = 'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

function cosignPayloadSeeds(): Uint8Array[] {
  const stored = decodeStoredSignature(file('containers-image', 'dir-img-cosign-valid', 'signature-1'));
  const seeds: Uint8Array[] = [];
  if (stored.kind === 'sigstore') seeds.push(stored.payload);
  seeds.push(Buffer.from(buildCosignPayload({ repository: 'registry.example.com/team/app', manifestDigest: DIGEST })));
  seeds.push(
    Buffer.from(
      buildCosignPayload({
        repository: 'registry.example.com/team/app',
        manifestDigest: DIGEST,
        annotations: { release: '1.2.3', 'build.id': 'abc' },
      }),
    ),
  );
  seeds.push(
    Buffer.from(
      buildAtomicPayload({
        dockerReference: 'registry.example.com/team/app:1',
        manifestDigest: DIGEST,
        creator: 'signet',
        timestamp: 1700000000,
      }),
    ),
  );
  return seeds;
}

function manifestSeeds(): Uint8Array[] {
  const seeds = [file('containers-image', 'image.manifest.json'), file('containers-image', 'dir-img-cosign-valid', 'manifest.json')];
  const layout = vector('notation', 'oci-layout', 'e2e-valid-signature');
  seeds.push(readFileSync(path.join(layout, 'index.json')));
  for (const name of readdirSync(path.join(layout, 'blobs', 'sha256'))) {
    const bytes = readFileSync(path.join(layout, 'blobs', 'sha256', name));
    if (bytes.length < 64 * 1024 && bytes[0] === 0x7b && bytes.includes(Buffer.from('schemaVersion'))) seeds.push(bytes);
  }
  return seeds;
}

function bundleSetup(): { seeds: Uint8Array[]; keys: TrustedKey[]; digest: string; manifest: Uint8Array } {
  const trusted = (name: string, key: ReturnType<typeof createPublicKey>): TrustedKey => ({
    name,
    key,
    fingerprint: createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('hex'),
  });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const manifest = Buffer.from(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}',
  );
  const hex = createHash('sha256').update(manifest).digest('hex');
  const digest = `sha256:${hex}`;
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'registry.example.com/team/app', digest: { sha256: hex } }],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
    }),
  );
  const payloadType = 'application/vnd.in-toto+json';
  const dsse = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'release' } },
    dsseEnvelope: {
      payload: statement.toString('base64'),
      payloadType,
      signatures: [{ sig: sign('sha256', pae(payloadType, statement), privateKey).toString('base64'), keyid: '' }],
    },
  };
  const message = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'release' } },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(hex, 'hex').toString('base64') },
      signature: sign('sha256', manifest, privateKey).toString('base64'),
    },
  };
  return {
    seeds: [
      file('sigstore-go', 'bundle-publish.json'),
      file('sigstore-cosign', 'oci-attestation.sigstore.json'),
      Buffer.from(JSON.stringify(dsse)),
      Buffer.from(JSON.stringify(message)),
    ],
    keys: [trusted('release', publicKey), trusted('publish', createPublicKey(file('sigstore-go', 'publish_key.pub')))],
    digest,
    manifest,
  };
}

function tarSeeds(): Uint8Array[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-fuzz-tar-'));
  try {
    const tree = path.join(dir, 'tree');
    mkdirSync(path.join(tree, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(path.join(tree, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(path.join(tree, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    writeFileSync(path.join(tree, 'blobs', 'sha256', 'a'.repeat(64)), 'x'.repeat(700));
    const long = path.join(tree, 'd'.repeat(90), 'e'.repeat(90));
    mkdirSync(long, { recursive: true });
    writeFileSync(path.join(long, 'f'.repeat(120)), 'long name');
    const seeds: Uint8Array[] = [];
    for (const format of ['ustar', 'gnu', 'pax']) {
      const out = path.join(dir, `${format}.tar`);
      // ustar cannot hold the long name: it gets the rest of the tree.
      execFileSync('tar', [
        `--format=${format}`,
        '-cf',
        out,
        '-C',
        tree,
        ...(format === 'ustar' ? ['oci-layout', 'index.json', 'blobs'] : ['.']),
      ]);
      seeds.push(readFileSync(out));
    }
    return seeds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps nothing: the parser and path checks run, the disk is not touched. */
const nullSink: TarSink = {
  async mkdir() {},
  async writeFile(_file, _size, chunks) {
    for await (const chunk of chunks) void chunk;
  },
};

const REGISTRIES_D = [
  `# signatures for our registries
default-docker:
  lookaside: https://sigs.example.com/default   # read
  lookaside-staging: file:///var/lib/sigs

docker:
  registry.example.com:5000/team:
    lookaside: "file:///mnt/team sigs"
    use-sigstore-attachments: true
  registry.example.com:5000/team/app:
    use-sigstore-attachments: false
  '*.example.org':
    sigstore: https://legacy.example.org/sigs
  registry.example.com:5000/team/app:v1:
    lookaside: file:///only/v1
`,
  'docker:\n  quay.io:\n    lookaside: https://quay.example/sigs\n',
  'default-docker:\n  use-sigstore-attachments: true\n',
  '---\ndocker: { quay.io/a: { lookaside: "https://s.example/q" }, localhost:5000: {} }\ndefault-docker: {}\n',
];

export async function loadTargets(): Promise<Target[]> {
  const pgpKey = text(file('containers-image', 'public-key.gpg'));
  const bundle = bundleSetup();
  const pemSeeds = [
    file('containers-image', 'cosign.pub'),
    file('containers-image', 'cosign2.pub'),
    file('containers-image', 'rekor.pub'),
    file('sigstore-go', 'publish_key.pub'),
    file('containers-image', 'public-key.gpg'),
    file('notation', 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'),
  ];
  return [
    {
      name: 'attachment-payload',
      summary: 'parseAttachmentPayload (cosign simple-signing payload)',
      seeds: cosignPayloadSeeds(),
      run: (input) => parseAttachmentPayload(input),
    },
    {
      name: 'cosign-payload',
      summary: 'checkCosignPayload (payload names the digest)',
      seeds: cosignPayloadSeeds(),
      run: (input) => checkCosignPayload(input, DIGEST),
    },
    {
      name: 'simple-signing',
      summary: 'verifySimple with a trusted key (openpgp.readMessage on mutated signed messages)',
      seeds: [
        'image.signature',
        'no-optional-fields.signature',
        'invalid-reference.signature',
        'expired.signature',
        'unknown-key.signature',
        'corrupt.signature',
        'unsigned-literal.signature',
      ].map((n) => file('containers-image', n)),
      run: (input) => verifySimple(input, DIGEST, [{ name: 'skopeo testing key', key: pgpKey }], 'docker.io/testing/manifest'),
    },
    {
      name: 'pem',
      summary: 'describeMaterial (PEM public keys, certificates, armored OpenPGP keys)',
      seeds: pemSeeds,
      run: (input) => describeMaterial(text(input)),
    },
    {
      name: 'manifest',
      summary: 'parseManifest (OCI/Docker manifests and indexes)',
      seeds: manifestSeeds(),
      run: (input) => parseManifest(input),
    },
    {
      name: 'bundle',
      summary: 'verifyBundle (Sigstore bundles v0.1–v0.3)',
      seeds: bundle.seeds,
      run: (input) => verifyBundle(input, { digest: bundle.digest, manifest: bundle.manifest, keys: bundle.keys }),
    },
    {
      name: 'registries-d',
      summary: 'parseRegistriesYaml (containers-registries.d)',
      seeds: REGISTRIES_D.map((t) => Buffer.from(t)),
      run: (input) => parseRegistriesYaml(text(input), 'fuzz.yaml'),
    },
    {
      name: 'policy',
      summary: 'parsePolicy (containers-policy.json)',
      seeds: [
        file('containers-image', 'policy.json'),
        Buffer.from('{"default":[{"type":"insecureAcceptAnything"}]}'),
        Buffer.from(
          '{"default":[{"type":"reject"}],"transports":{"docker":{"registry.example.com/team":[{"type":"sigstoreSigned","keyData":"AAAA","signedIdentity":{"type":"matchRepository"}}]}}}',
        ),
      ],
      run: (input) => parsePolicy(input),
    },
    {
      name: 'tar',
      summary: 'extractTar (ustar, GNU long names, pax) into a sink that keeps nothing',
      seeds: tarSeeds(),
      run: (input) => extractTar(Buffer.from(input.buffer, input.byteOffset, input.byteLength), '/nonexistent/signet-fuzz', nullSink),
    },
    {
      name: 'notation-jws',
      summary: 'verifyNotation on JWS envelopes (strict JSON, headers, chain rules, signature); answers with checks, never throws',
      seeds: [
        file('notation-go', 'jws_signature.sig'),
        file(
          'notation',
          'oci-layout',
          'e2e-valid-signature',
          'blobs',
          'sha256',
          'c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50',
        ),
        file(
          'notation',
          'oci-layout',
          'e2e-expired-signature',
          'blobs',
          'sha256',
          'b5f927564088f65dad86c81bcdd0b55415a8b4c9a0a5391107210e0cdb305cc7',
        ),
      ],
      run: (input) => verifyNotation(input, 'application/jose+json', NOTATION_IMAGE, NOTATION_TRUST, new Date()),
    },
    {
      name: 'notation-cose',
      summary: 'verifyNotation on COSE_Sign1 envelopes (strict CBOR, headers, chain rules, signature); answers with checks, never throws',
      seeds: [file('notation-go', 'cose_signature.sig')],
      run: (input) => verifyNotation(input, 'application/cose', NOTATION_IMAGE, NOTATION_TRUST, new Date()),
    },
    {
      name: 'notation-policy',
      summary: 'parseNotationPolicy (trustpolicy.json, notation-go validation rules)',
      seeds: [
        'multiple_trusted_identity_trustpolicy.json',
        'invalid_trusted_identity_trustpolicy.json',
        'registry_scope_trustpolicy.json',
        'override_integrity_for_permissive_trustpolicy.json',
        'trustpolicy.blob.json',
      ].map((n) => file('notation', 'trustpolicies', n)),
      run: (input) => parseNotationPolicy(input),
    },
    {
      name: 'signature-tags',
      summary:
        'readTags (dev.signet.tags on a signature descriptor, written by anyone with push access); answers with tags or nothing, never throws',
      seeds: ['{"ops.approved":"yes","release":"1.0"}', '{}', '{"a":"b"}'].map((t) => Buffer.from(t)),
      run: (input) => readTags({ 'dev.signet.tags': text(input) }),
      expected: () => false,
    },
    {
      name: 'signed-record',
      summary: 'withSignedRecord (the metadata JSON object a signer types, strict JSON, capped)',
      seeds: ['{"ticket":"REL-42","approvers":["ana","bo"]}', '{"a":{"b":[1,2,{"c":null}]}}', '{}'].map((t) => Buffer.from(t)),
      run: (input) => withSignedRecord(undefined, { description: 'fuzz', metadata: text(input) }),
    },
    {
      name: 'stored-signature',
      summary: 'decodeStoredSignature (containers dir:/lookaside signature blobs)',
      seeds: [
        file('containers-image', 'dir-img-cosign-valid', 'signature-1'),
        file('containers-image', 'dir-img-cosign-key-rekor-valid', 'signature-1'),
        file('containers-image', 'image.signature'),
      ],
      run: (input) => decodeStoredSignature(input),
    },
  ];
}

const NOTATION_IMAGE = {
  digest: 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0',
  size: 481,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
};
const NOTATION_TRUST = defaultNotationTrust([]);

export function isExpectedRejection(error: unknown): boolean {
  return error instanceof SignetError;
}
