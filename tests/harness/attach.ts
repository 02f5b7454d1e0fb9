import { createHash, sign, type KeyObject } from 'node:crypto';
import { pae } from '../../electron/core/signatures/sigstore/bundle';
import type { RegistryClient } from '../../electron/core/registry/client';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** The signature cosign makes over a payload: SHA-256 with the key's own scheme (ECDSA DER, RSA PKCS#1 v1.5, pure Ed25519). */
export function cosignSign(payload: Uint8Array, privateKey: KeyObject): Buffer {
  return privateKey.asymmetricKeyType === 'ed25519' ? sign(null, payload, privateKey) : sign('sha256', payload, privateKey);
}

/** Writes a cosign signature image (`sha256-<hex>.sig`) holding exactly these payloads, each signed with the key, as cosign lays it out. */
export async function pushCosignSignatures(
  client: RegistryClient,
  repository: string,
  digest: string,
  payloads: readonly Uint8Array[],
  privateKey: KeyObject,
): Promise<void> {
  const config = Buffer.from('{}');
  await client.pushBlob(repository, config);
  const layers = [];
  for (const payload of payloads) {
    await client.pushBlob(repository, Buffer.from(payload));
    layers.push({
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      digest: `sha256:${sha256(payload)}`,
      size: payload.length,
      annotations: { 'dev.cosignproject.cosign/signature': cosignSign(payload, privateKey).toString('base64') },
    });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(config)}`, size: config.length },
      layers,
    }),
  );
  await client.pushManifest(repository, `${digest.replace(':', '-')}.sig`, manifest, OCI_MANIFEST);
}

export interface BundleOptions {
  /** The digest the in-toto statement names (default: the subject's). */
  statementSubject?: string;
  /** Default: cosign 3's signature predicate, https://sigstore.dev/cosign/sign/v1. */
  predicateType?: string;
  /** Adds an (unverifiable) tlog entry claiming this integration time. */
  integratedTime?: Date;
  /** Sets `org.opencontainers.image.created` on the referrer manifest and its index entry, as cosign 3 and notation write it. */
  created?: Date;
}

/** Attaches a key-signed Sigstore bundle (DSSE, in-toto) as an OCI 1.1 referrer, tag-schema style (registry 2.8 has no referrers API). */
export async function attachBundle(
  client: RegistryClient,
  repository: string,
  subject: { digest: string; size: number; mediaType: string },
  privateKey: KeyObject,
  options: BundleOptions = {},
): Promise<void> {
  const statement = JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: repository, digest: { sha256: (options.statementSubject ?? subject.digest).slice(7) } }],
    predicateType: options.predicateType ?? 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  });
  const payload = Buffer.from(statement);
  const sig = sign('sha256', pae('application/vnd.in-toto+json', payload), privateKey);
  const tlog = options.integratedTime
    ? {
        tlogEntries: [
          {
            logIndex: '1',
            logId: { keyId: 'AAAA' },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: String(Math.floor(options.integratedTime.getTime() / 1000)),
            canonicalizedBody: 'e30=',
          },
        ],
      }
    : {};
  const bundle = Buffer.from(
    JSON.stringify({
      mediaType: BUNDLE,
      verificationMaterial: { publicKey: { hint: 'release' }, ...tlog },
      dsseEnvelope: {
        payload: payload.toString('base64'),
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: sig.toString('base64'), keyid: '' }],
      },
    }),
  );
  const empty = Buffer.from('{}');
  const created = options.created
    ? { 'org.opencontainers.image.created': options.created.toISOString().replace(/\.\d{3}Z$/, 'Z') }
    : undefined;
  await client.pushBlob(repository, empty);
  await client.pushBlob(repository, bundle);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${sha256(empty)}`, size: empty.length },
      layers: [{ mediaType: BUNDLE, digest: `sha256:${sha256(bundle)}`, size: bundle.length }],
      subject,
      ...(created ? { annotations: created } : {}),
    }),
  );
  const referrer = await client.pushManifest(repository, `sha256:${sha256(manifest)}`, manifest, OCI_MANIFEST);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: referrer,
          size: manifest.length,
          artifactType: BUNDLE,
          ...(created ? { annotations: created } : {}),
        },
      ],
    }),
  );
  await client.pushManifest(repository, subject.digest.replace(':', '-'), index, 'application/vnd.oci.image.index.v1+json');
}
