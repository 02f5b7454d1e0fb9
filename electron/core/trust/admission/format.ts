import type { TrustEntry } from '../../../../shared/models/trust';

/** What an admission exporter writes: files (relative paths), what to do with them, and what it could not express. */
export interface AdmissionExport {
  files: Array<{ path: string; content: string }>;
  /** How to apply it (commands, labels, form values), in order. */
  notes: string[];
  /** What the target cannot express of the trust store (skipped keys, semantics that differ). */
  warnings: string[];
}

export interface AdmissionOptions {
  /** Only entries trusted for these scopes (and unscoped entries); none: the whole store. */
  scopes?: readonly string[];
  /** Kubernetes policies: deny (Enforce, the default) or only report (Audit). */
  failureAction?: 'Enforce' | 'Audit';
  /** The object name the policies get (a DNS label prefix). */
  name?: string;
  /** Signet's KMS keys, by SPKI SHA-256: a controller that reads the KMS itself is given the key URI. */
  kmsKeys?: ReadonlyMap<string, string>;
}

/**
 * One admission controller's policy, generated from the trust store's keys, scopes and windows.
 * A new target is one module implementing this and one entry in index.ts.
 */
export interface AdmissionExporter {
  readonly id: string;
  readonly label: string;
  export(entries: readonly TrustEntry[], options: AdmissionOptions): AdmissionExport;
}
