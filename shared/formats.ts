/**
 * Every signature format Signet knows, in one table: what people call it, whether Signet writes
 * it from the Sign dialog and `signet sign` (and with which kind of key), whether it travels in
 * air-gapped requests, and whether Signet can verify it yet. The enums of the contract are
 * derived from here, and the core's table of format modules (electron/core/signatures/formats)
 * must have exactly one module per id: adding a format is one module and one row here.
 */
export const FORMAT_TABLE = {
  cosign: {
    label: 'cosign',
    long: 'cosign (signature image at sha256-<hex>.sig beside it)',
    signs: 'signer',
    offline: true,
    verifies: true,
  },
  simplesigning: {
    label: 'simple signing',
    long: 'containers/image simple signing (OpenPGP, lookaside signature-N)',
    signs: 'openpgp',
    offline: true,
    verifies: true,
  },
  asc: { label: '.asc', long: '.asc for Huawei SWR (OpenPGP)', signs: false, offline: true, verifies: true },
  'sigstore-bundle': {
    label: 'Sigstore bundle',
    long: 'Sigstore bundle attached through referrers (read only)',
    signs: false,
    offline: false,
    verifies: true,
  },
  notation: {
    label: 'Notation',
    long: 'Notation (Notary Project JWS or COSE envelope, attached through referrers)',
    signs: 'signer',
    offline: true,
    verifies: true,
  },
} as const satisfies Record<
  string,
  { label: string; long: string; signs: 'signer' | 'openpgp' | false; offline: boolean; verifies: boolean }
>;

export type FormatId = keyof typeof FORMAT_TABLE;
type Where<K extends keyof (typeof FORMAT_TABLE)[FormatId], V> = {
  [F in FormatId]: (typeof FORMAT_TABLE)[F][K] extends V ? F : never;
}[FormatId];

const ids = <F extends FormatId>(keep: (row: (typeof FORMAT_TABLE)[FormatId]) => boolean) =>
  (Object.keys(FORMAT_TABLE) as FormatId[]).filter((id) => keep(FORMAT_TABLE[id])) as unknown as readonly [F, ...F[]];

export const FORMAT_IDS = ids<FormatId>(() => true);
/** Formats `signatures.sign` writes. */
export type SignableFormat = Where<'signs', 'signer' | 'openpgp'>;
export const SIGNABLE_FORMATS = ids<SignableFormat>((row) => row.signs !== false);
/** Formats an air-gapped signing request may ask for. */
export type OfflineFormatId = Where<'offline', true>;
export const OFFLINE_FORMAT_IDS = ids<OfflineFormatId>((row) => row.offline);

/**
 * A tag that holds signatures for another manifest rather than an image: cosign's
 * `sha256-<hex>.sig|.att|.sbom` and the referrers tag schema's `sha256-<hex>` index (Notation
 * signatures, Sigstore bundles). Tag lists hide them unless asked; they are never signed as images.
 */
export function isSignatureArtifactTag(tag: string): boolean {
  return /^sha(?:256-[0-9a-f]{64}|512-[0-9a-f]{128})(?:\.(?:sig|att|sbom))?$/.test(tag);
}
