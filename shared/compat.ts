/** Which consumers will find and accept a signature, from its format and where it is stored. */
export type SignatureKind = 'cosign' | 'simplesigning' | 'asc' | 'sigstore-bundle' | 'notation';

export interface ConsumerVerdict {
  consumer: string;
  accepts: 'yes' | 'no' | 'with-settings';
  why: string;
}

const COSIGN: ConsumerVerdict[] = [
  {
    consumer: 'cosign 2.x',
    accepts: 'with-settings',
    why: 'Finds the sha256-<hex>.sig tag. No transparency-log entry was made, so verify with `cosign verify --key cosign.pub --insecure-ignore-tlog=true`.',
  },
  {
    consumer: 'cosign 3.x',
    accepts: 'with-settings',
    why: 'Looks for Sigstore bundles through referrers by default; the legacy .sig tag is read with `--new-bundle-format=false --insecure-ignore-tlog=true`.',
  },
  {
    consumer: 'podman / skopeo / CRI-O',
    accepts: 'with-settings',
    why: 'A policy.json `sigstoreSigned` requirement with the public key, and `use-sigstore-attachments: true` for the registry in registries.d. (Debian’s skopeo is built without sigstore support.)',
  },
  {
    consumer: 'Kyverno',
    accepts: 'with-settings',
    why: 'A verifyImages rule with a keys attestor holding the public key, and `rekor: {ignoreTlog: true}` (no log entry).',
  },
  {
    consumer: 'sigstore policy-controller',
    accepts: 'with-settings',
    why: 'A ClusterImagePolicy with the public key as a key authority; the transparency log must not be required (no log entry).',
  },
];

const SIMPLE: ConsumerVerdict[] = [
  { consumer: 'cosign 2.x', accepts: 'no', why: 'cosign does not read containers/image simple signatures.' },
  { consumer: 'cosign 3.x', accepts: 'no', why: 'cosign does not read containers/image simple signatures.' },
  {
    consumer: 'podman / skopeo / CRI-O',
    accepts: 'with-settings',
    why: 'A policy.json `signedBy` requirement (GPGKeys) with the OpenPGP key, and registries.d `lookaside` pointing at where the signature-N files are published.',
  },
  { consumer: 'Kyverno', accepts: 'no', why: 'Kyverno verifies cosign and Notary signatures, not simple signatures.' },
  { consumer: 'sigstore policy-controller', accepts: 'no', why: 'policy-controller verifies Sigstore signatures only.' },
];

const ASC: ConsumerVerdict[] = [
  {
    consumer: 'Huawei SWR',
    accepts: 'with-settings',
    why: 'Reads {sha256}.asc from the OBS bucket at {namespace}/{repo}/ (this layout is not publicly documented by Huawei; check it against your SWR instance).',
  },
  { consumer: 'cosign 2.x / 3.x', accepts: 'no', why: 'An .asc file is outside the registry; cosign does not look there.' },
  {
    consumer: 'podman / skopeo / CRI-O',
    accepts: 'no',
    why: 'They read simple signatures from lookaside signature-N files, not .asc files.',
  },
  { consumer: 'Kyverno', accepts: 'no', why: 'Not a format Kyverno reads.' },
  { consumer: 'sigstore policy-controller', accepts: 'no', why: 'Not a format policy-controller reads.' },
];

const BUNDLE: ConsumerVerdict[] = [
  {
    consumer: 'cosign 2.x',
    accepts: 'with-settings',
    why: 'cosign ≥ 2.6 reads bundles through referrers with `--new-bundle-format`; older 2.x releases do not.',
  },
  { consumer: 'cosign 3.x', accepts: 'yes', why: 'Its default: a bundle found through the referrers API.' },
  { consumer: 'podman / skopeo / CRI-O', accepts: 'no', why: 'containers/image does not read Sigstore bundles attached as referrers.' },
  {
    consumer: 'Kyverno',
    accepts: 'with-settings',
    why: 'Recent Kyverno releases read bundles (`type: SigstoreBundle`); older ones do not (unconfirmed per release).',
  },
  { consumer: 'sigstore policy-controller', accepts: 'no', why: 'policy-controller reads the legacy .sig tag by default.' },
];

/**
 * cosign-format signatures made with an SM2 key (SM2 with SM3 over Z_A ‖ payload, user id
 * 1234567812345678, DER (r, s)): Signet and `openssl pkeyutl -verify -rawin -digest sm3` with that
 * distid check them; the sigstore verifiers do not know SM2.
 */
const COSIGN_SM2: ConsumerVerdict[] = [
  { consumer: 'cosign 2.x / 3.x', accepts: 'no', why: 'cosign’s verifiers support ECDSA, RSA and Ed25519 keys, not SM2.' },
  {
    consumer: 'podman / skopeo / CRI-O',
    accepts: 'no',
    why: 'containers/image’s sigstoreSigned verifies ECDSA, RSA and Ed25519 keys only.',
  },
  { consumer: 'Kyverno', accepts: 'no', why: 'Kyverno verifies with cosign’s libraries: no SM2.' },
  {
    consumer: 'sigstore policy-controller',
    accepts: 'no',
    why: 'The upstream policy-controller has no SM2; Huawei CCE’s image-signature add-on is configured with the SM2 KMS key instead (check your cluster’s add-on version).',
  },
  {
    consumer: 'Signet, openssl',
    accepts: 'yes',
    why: 'Signet verifies it with the SM2 public key; by hand: `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey sm2.pub -in payload -sigfile signature`.',
  },
];

const NOTATION: ConsumerVerdict[] = [
  {
    consumer: 'notation',
    accepts: 'with-settings',
    why: 'Finds it through the referrers API or the sha256-<hex> tag schema (notation ≥ 1.0 reads the artifactType form). Needs a trust policy naming a ca store that holds the chain’s root (`signet policy export-notation` writes both).',
  },
  {
    consumer: 'Kyverno (type: Notary)',
    accepts: 'with-settings',
    why: 'A verifyImages rule with `type: Notary` and an attestor holding the chain’s root certificate.',
  },
  { consumer: 'cosign 2.x / 3.x', accepts: 'no', why: 'cosign does not read Notation signatures.' },
  { consumer: 'podman / skopeo / CRI-O', accepts: 'no', why: 'containers/image does not read Notation signatures.' },
  { consumer: 'sigstore policy-controller', accepts: 'no', why: 'policy-controller verifies Sigstore signatures only.' },
];

export function compatibilityOf(kind: SignatureKind, algorithm?: string): ConsumerVerdict[] {
  switch (kind) {
    case 'cosign':
      return algorithm === 'sm2-sm3' ? COSIGN_SM2 : COSIGN;
    case 'simplesigning':
      return SIMPLE;
    case 'asc':
      return ASC;
    case 'sigstore-bundle':
      return BUNDLE;
    case 'notation':
      return NOTATION;
  }
}
