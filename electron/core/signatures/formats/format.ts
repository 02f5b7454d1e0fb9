import type { LookedPlace, SignatureReport } from '../../../../shared/models/signatures';
import type { PgpSigner, Signer } from '../../signing/signer';
import type { Descriptor } from '../../registry/media';
import type { RegistrySource } from '../../registry/source';
import type { ObjectStore } from '../../storage/object-store';
import type { TrustSet } from '../trusted';
import type { NotationTrust } from '../notation/trust';

import type { FormatId } from '../../../../shared/formats';

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
}
