import type { LookedPlace, SignatureReport } from '../../../../shared/models/signatures';
import type { PgpSigner, Signer } from '../../signing/signer';
import type { Descriptor } from '../../registry/media';
import type { RegistrySource } from '../../registry/source';
import type { ObjectStore } from '../../storage/object-store';
import type { TrustSet } from '../trusted';
import type { NotationTrust } from '../notation/trust';

import type { FormatId } from '../../../../shared/formats';
import type { RequestItem } from '../../../../shared/models/offline';
import type { RequestOf } from '../../../../shared/api';
import type { SavedRegistry } from '../../../../shared/models/registry';
import type { CoreServices } from '../../services';

export type { FormatId };

export interface Referrers {
  descriptors: Descriptor[];
  source: 'api' | 'tag-schema';
}

/** Where and against what an image's signatures are read. */
export interface VerifyContext {
  source: RegistrySource;
  /** How the image is named in reports: the registry host, or "layout". */
  registryLabel: string;
  repository: string;
  digest: string;
  /** The image as the user named it (`host/repo:tag` or `host/repo@digest`): identities are matched against it (matchRepoDigestOrExact). */
  imageReference: string;
  trust: TrustSet;
  /**
   * The Notation trust policy statement that applies to this image, with its stores; `none` when a
   * Notation trust policy is imported but no statement's scope covers the image (notation refuses
   * then). Absent: no policy is imported, and Signet's trust store certificates are the CA store.
   */
  notation?: NotationTrust | { none: string };
  /** Lookaside storage for simple signatures (directory, file:// or http(s)://), and what named it. */
  lookaside?: { url: string; from: string };
  /** Object storage holding SWR .asc files. */
  asc?: ObjectStore;
  /** The image's referrers, read once for every format that keeps signatures there. */
  referrers(): Promise<Referrers>;
  /** Records a place looked at, so "unsigned" can say where Signet looked. */
  look(place: LookedPlace): void;
  now: Date;
  /** Where writers on this data directory take their cross-process locks (signature tags). */
  lockDirectory?: string;
}

export interface SignContext {
  source: RegistrySource;
  /** The registry host written into payload identities ("oci-layout" for layouts). */
  registryHost: string;
  repository: string;
  digest: string;
  /** The tag the user chose, for identities that carry it. */
  tag?: string;
  signer?: Signer;
  pgp?: PgpSigner;
  annotations?: Record<string, string>;
  /** Simple signing: the lookaside directory signature-N is written into. */
  lookasideDirectory?: string;
  /** Notation: the key's X.509 chain (PEM, leaf first), the envelope and the expiry. */
  notation?: { certificateChain: string; envelope: 'jws' | 'cose'; expiresInMs?: number };
  creator: string;
  now: Date;
  /** Where writers on this data directory take their cross-process locks (signature tags). */
  lockDirectory?: string;
}

export interface Signed {
  /** Where the signature was stored: a tag, a file. */
  where: string;
  payload: string;
  tag: string;
  signatureManifest?: string;
  file?: string;
}

/**
 * One signature format: how its signatures are found, decoded and verified for an image, and —
 * for the formats Signet writes — how a payload is built, signed through a `Signer` and stored.
 * Adding a format is one module and one entry in formats/index.ts.
 */
export interface SignatureFormat {
  readonly id: FormatId;
  verifyAll(ctx: VerifyContext): Promise<SignatureReport[]>;
  sign?(ctx: SignContext): Promise<Signed>;
  /** How the format travels in an air-gapped request; absent for formats that do not (shared/formats.ts `offline`). */
  readonly offline?: OfflineWay;
  /**
   * Reads what `signatures.sign` was asked as this format needs it: the key (a signing key or an
   * OpenPGP key), where the signature goes, the options only it takes (others refused), and what
   * the audit log records about the signer. Present on the formats Signet writes.
   */
  setUpSigning?(input: SignInput, env: SigningEnvironment): Promise<SigningSetup>;
}

export type SignInput = RequestOf<'signatures.sign'>;

export interface SigningEnvironment {
  services: CoreServices;
  /** The saved registry the image is in. */
  saved: SavedRegistry;
  /** How the image is named (`host/repo@digest`, or `host/repo:tag`): where a registries.d lookaside is looked up. */
  imageReference: string;
}

export interface SigningSetup {
  ctx: Pick<SignContext, 'signer' | 'pgp' | 'lookasideDirectory' | 'notation'>;
  /** What the audit log records about the key that signed. */
  signer: Record<string, string>;
}

/** An image as an air-gapped request names it, resolved on the connected machine. */
export interface OfflineImage {
  reference: string;
  /** host/repository, without tag or digest. */
  repository: string;
  tag?: string;
  digest: string;
  mediaType?: string;
  /** The manifest's size (Notation payloads describe it). */
  size?: number;
  platform?: string;
}

export interface OfflinePayloadOptions {
  createdBy: string;
  now: Date;
  /** Signed annotations: cosign and simple signing `optional` members, Notation `targetArtifact.annotations`. */
  annotations?: Readonly<Record<string, string>>;
  /** Notation items: the envelope and the key's X.509 chain (DER, leaf first). */
  notation?: { envelope: 'jws' | 'cose'; chain: readonly Buffer[] };
}

export interface OfflineAttachContext {
  sourceFor(registryHost: string): Promise<RegistrySource>;
  /** Where simple signatures are written (a lookaside directory). */
  lookaside?: string;
  /** Where .asc files are uploaded. */
  asc?: ObjectStore;
  /** The OpenPGP fingerprint the request named (an .asc document names its key). */
  signer: string;
  lockDirectory?: string;
}

export interface OfflineAttached {
  result: 'attached' | 'already-present' | 'not-attached';
  detail: string;
}

/**
 * One format's part of the air-gapped path: the payload built on the connected machine, the
 * strict reading of it when a request is opened (at the station and again on return), the kind
 * of key that signs it at the station, and how its signature is stored once carried back.
 */
export interface OfflineWay {
  readonly key: 'signer' | 'openpgp';
  payload(image: OfflineImage, options: OfflinePayloadOptions): { bytes: Buffer; item?: Pick<RequestItem, 'notation'> };
  /** The identity the item's payload signs; refuses a payload that is not exactly this item's. */
  identity(item: RequestItem, payload: Buffer): string;
  attach(ctx: OfflineAttachContext, item: RequestItem, payload: Buffer, signature: Buffer): Promise<OfflineAttached>;
}
