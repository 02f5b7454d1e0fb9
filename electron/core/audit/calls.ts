import type { CallName, ParsedRequestOf, ResponseOf } from '../../../shared/api';
import type { AuditEventType } from '../../../shared/models/audit';
import type { StorageTarget } from '../../../shared/models/storage';
import { redactReference } from './redact';
import type { AuditFields } from './context';

/**
 * What the audit log records for one call that is not a read:
 * - `kind`: the entry's kind, for a success and for a failure alike (the outcome tells them apart);
 * - `asked`: what was asked, in a phrase and in fields. Named fields only, picked one by one:
 *   never a PIN, password, passphrase, credential or file content. The fields are added to every
 *   entry the call writes, so the key filter and the image filter find them;
 * - `done`: the entry for a success, or `handler` when the handler writes its own, richer entries
 *   (one per signed manifest, with the key's fingerprint and version).
 */
export interface CallAudit<K extends CallName> {
  readonly kind: AuditEventType;
  asked(input: ParsedRequestOf<K>): { what: string; fields?: AuditFields };
  readonly done: 'handler' | ((input: ParsedRequestOf<K>, output: ResponseOf<K>) => string);
}

export type CallAuditTable = { readonly [K in CallName]?: CallAudit<K> };

const q = (text: string) => `"${text.slice(0, 200)}"`;
/** A key as the person named it: a name, an id or a URI (a PIN in a pkcs11: URI is redacted). */
const keyRef = (key: string) => redactReference(key).slice(0, 1024);
const shortDigest = (digest: string) => `${digest.slice(0, 19)}…`;
const target = (t: StorageTarget): string =>
  t.profile ?? t.path ?? (t.bucket ? `${t.kind ?? 's3'} bucket ${t.bucket}` : 'an inline target');

/** Every call whose effect is not `read` has a line here; a test holds the table to the contract. */
export const CALL_AUDIT: CallAuditTable = {
  'settings.set': {
    kind: 'settings.changed',
    asked: (i) => ({ what: 'Change settings', fields: { ...(i.offlineMode === undefined ? {} : { offlineMode: i.offlineMode }) } }),
    done: 'handler',
  },

  'keys.generate': {
    kind: 'key.generated',
    asked: (i) => ({ what: `Generate ${i.type} key ${q(i.name)}`, fields: { key: i.name, keyType: i.type, store: i.store ?? 'keychain' } }),
    done: 'handler',
  },
  'keys.import': {
    kind: 'key.imported',
    asked: (i) => ({ what: `Import a key as ${q(i.name)}`, fields: { key: i.name, store: i.store ?? 'keychain' } }),
    done: 'handler',
  },
  'keys.attachCertificate': {
    kind: 'key.imported',
    asked: (i) => ({ what: `Attach a certificate chain to ${q(i.key)}`, fields: { key: i.key } }),
    done: 'handler',
  },
  'keys.addKms': {
    kind: 'key.imported',
    asked: (i) => ({
      what: `Add KMS key ${i.uri} as ${q(i.name)}`,
      fields: { key: i.name, uri: i.uri, ...(i.connection ? { connection: i.connection } : {}) },
    }),
    done: 'handler',
  },
  'keys.exportCosign': {
    kind: 'key.exported',
    asked: (i) => ({ what: `Export the private key ${q(i.key)} in cosign format`, fields: { key: i.key } }),
    done: 'handler',
  },
  'keys.exportPgpSecret': {
    kind: 'key.exported',
    asked: (i) => ({ what: `Export the OpenPGP secret key ${q(i.key)}`, fields: { key: i.key } }),
    done: 'handler',
  },
  'keys.retire': { kind: 'key.retired', asked: (i) => ({ what: `Retire key ${q(i.key)}`, fields: { key: i.key } }), done: 'handler' },
  'keys.delete': { kind: 'key.deleted', asked: (i) => ({ what: `Delete key ${q(i.key)}`, fields: { key: i.key } }), done: 'handler' },
  'keys.csr': {
    kind: 'key.used',
    asked: (i) => ({
      what: `Sign a certificate request for ${q(i.commonName)} with ${q(i.key)}`,
      fields: { key: i.key, commonName: i.commonName },
    }),
    done: (i) => `Signed a certificate signing request for ${q(i.commonName)} with ${q(i.key)}`,
  },
  'keys.vaultUnlock': { kind: 'vault.changed', asked: () => ({ what: 'Unlock the vault' }), done: () => 'Unlocked the vault' },
  'keys.vaultLock': { kind: 'vault.changed', asked: () => ({ what: 'Lock the vault' }), done: () => 'Locked the vault' },

  'kms.add': {
    kind: 'kms.changed',
    asked: (i) => ({
      what: `Save the KMS connection ${q(i.name)} (${i.provider})`,
      fields: { name: i.name, provider: i.provider, credentials: i.credential.source },
    }),
    done: 'handler',
  },
  'kms.remove': {
    kind: 'kms.changed',
    asked: (i) => ({ what: `Remove the KMS connection ${q(i.name)}`, fields: { name: i.name } }),
    done: 'handler',
  },
  'kms.test': {
    kind: 'kms.tested',
    asked: (i) => ({
      what: `Test-sign with ${i.key}`,
      fields: {
        uri: i.key,
        ...(i.connection ? { connection: i.connection } : {}),
        ...(i.version ? { keyVersion: i.version } : {}),
        ...(i.algorithm ? { algorithm: i.algorithm } : {}),
      },
    }),
    done: 'handler',
  },

  'registry.add': {
    kind: 'registry.changed',
    asked: (i) => ({
      what: `Save the registry ${i.host ?? i.layoutPath ?? ''}`,
      fields: { registry: i.name ?? i.host ?? i.layoutPath ?? '', ...(i.username ? { credentialsChanged: true } : {}) },
    }),
    done: 'handler',
  },
  'registry.edit': {
    kind: 'registry.changed',
    asked: (i) => ({ what: `Edit the registry ${i.id}`, fields: { id: i.id } }),
    done: 'handler',
  },
  'registry.remove': {
    kind: 'registry.changed',
    asked: (i) => ({ what: `Forget the registry ${i.id}`, fields: { id: i.id } }),
    done: 'handler',
  },

  'storage.add': {
    kind: 'storage.changed',
    asked: (i) => ({ what: `Save the storage profile ${q(i.name)} (${i.kind})`, fields: { name: i.name, kind: i.kind } }),
    done: 'handler',
  },
  'storage.remove': {
    kind: 'storage.changed',
    asked: (i) => ({ what: `Remove the storage profile ${q(i.name)}`, fields: { name: i.name } }),
    done: 'handler',
  },
  'storage.test': {
    kind: 'storage.tested',
    asked: (i) => ({
      what: `Test the storage ${target(i.target)} (${i.mode ?? 'write'})`,
      fields: { target: target(i.target), mode: i.mode ?? 'write' },
    }),
    done: (i) => `Tested the storage ${target(i.target)} (${i.mode ?? 'write'}): it answered`,
  },
  'storage.upload': {
    kind: 'storage.uploaded',
    asked: (i) => ({ what: `Upload ${i.key} to ${target(i.target)}`, fields: { target: target(i.target), object: i.key } }),
    done: 'handler',
  },
  'storage.lookaside': {
    kind: 'storage.uploaded',
    asked: (i) => ({
      what: `Store a simple signature for ${i.repository}@${shortDigest(i.digest)} in ${target(i.target)}`,
      fields: { target: target(i.target), repository: i.repository, digest: i.digest },
    }),
    done: 'handler',
  },
  'storage.publish': {
    kind: 'storage.uploaded',
    asked: (i) => ({ what: `Publish ${i.directory} to ${target(i.target)}`, fields: { target: target(i.target), directory: i.directory } }),
    done: 'handler',
  },

  'tokens.addModule': {
    kind: 'token.changed',
    asked: (i) => ({ what: `Add the PKCS#11 module ${i.path}`, fields: { module: i.path } }),
    done: (i) => `Added the PKCS#11 module ${i.path}`,
  },
  'tokens.keys': {
    kind: 'token.tested',
    asked: (i) => ({
      what: `List the keys on token ${i.token}${i.pin || i.pinPad ? ' with its PIN' : ''}`,
      fields: { token: i.token, module: i.module, login: Boolean(i.pin || i.pinPad) },
    }),
    done: (i, o) => `Listed ${o.keys.length} key(s) on token ${i.token}${o.loggedIn ? ', logged in with the PIN' : ''}`,
  },
  'tokens.generate': {
    kind: 'key.generated',
    asked: (i) => ({
      what: `Generate ${i.type} key ${q(i.label)} on token ${i.token}`,
      fields: { token: i.token, label: i.label, keyType: i.type },
    }),
    done: 'handler',
  },
  'tokens.testSign': {
    kind: 'token.tested',
    asked: (i) => ({
      what: `Test-sign with ${keyRef(i.uri)}`,
      fields: { key: keyRef(i.uri), ...(i.algorithm ? { algorithm: i.algorithm } : {}) },
    }),
    done: (i, o) => `Test-signed with ${keyRef(i.uri)} (${o.algorithm}); it verified locally`,
  },

  'trust.addKey': {
    kind: 'trust.changed',
    asked: (i) => ({
      what: `Trust the Signet key ${q(i.key)}`,
      fields: {
        key: i.key,
        ...(i.notBefore ? { notBefore: i.notBefore } : {}),
        ...(i.notAfter ? { notAfter: i.notAfter } : {}),
        ...(i.scopes?.length ? { scopes: i.scopes.join(' ') } : {}),
      },
    }),
    done: 'handler',
  },
  'trust.add': {
    kind: 'trust.changed',
    asked: (i) => ({
      what: `Trust ${q(i.name)}`,
      fields: {
        name: i.name,
        ...(i.notBefore ? { notBefore: i.notBefore } : {}),
        ...(i.notAfter ? { notAfter: i.notAfter } : {}),
        ...(i.scopes?.length ? { scopes: i.scopes.join(' ') } : {}),
      },
    }),
    done: 'handler',
  },
  'trust.remove': { kind: 'trust.changed', asked: (i) => ({ what: `Stop trusting ${i.id}`, fields: { id: i.id } }), done: 'handler' },
  'trust.importPolicy': {
    kind: 'trust.changed',
    asked: (i) => ({ what: `Import the policy ${q(i.name)}`, fields: { name: i.name } }),
    done: 'handler',
  },
  'trust.ackMigration': { kind: 'trust.changed', asked: () => ({ what: 'Dismiss the trust migration note' }), done: 'handler' },

  'signatures.sign': {
    kind: 'image.signed',
    asked: (i) => ({
      what: `Sign ${i.repository}@${shortDigest(i.digest)} in ${i.format ?? 'cosign'} format with ${q(keyRef(i.key))}`,
      fields: {
        key: keyRef(i.key),
        repository: i.repository,
        digest: i.digest,
        format: i.format ?? 'cosign',
        registryId: i.id,
        ...(i.expectedTag ? { tag: i.expectedTag } : {}),
        ...(i.algorithm ? { algorithm: i.algorithm } : {}),
      },
    }),
    done: 'handler',
  },
  'signatures.delete': {
    kind: 'signature.deleted',
    asked: (i) => ({
      what: `${i.dryRun ? 'Preview deleting' : 'Delete'} the signature ${i.signature} of ${i.repository}@${shortDigest(i.digest)}`,
      fields: {
        repository: i.repository,
        digest: i.digest,
        signatureId: i.signature,
        registryId: i.id,
        ...(i.dryRun ? { dryRun: true } : {}),
      },
    }),
    done: 'handler',
  },
  'signatures.tag': {
    kind: 'signature.tagged',
    asked: (i) => ({
      what: `Tag the signature ${i.signature} of ${i.repository}@${shortDigest(i.digest)}`,
      fields: { repository: i.repository, digest: i.digest, signatureId: i.signature, registryId: i.id },
    }),
    done: 'handler',
  },
  'ocir.sign': {
    kind: 'image.signed',
    asked: (i) => ({
      what: `Sign ${i.repository}@${shortDigest(i.digest)} for OCIR with ${q(keyRef(i.key))}`,
      fields: { key: keyRef(i.key), repository: i.repository, digest: i.digest, format: 'ocir', registryId: i.id, algorithm: i.algorithm },
    }),
    done: (i, o) => `Signed ${i.repository}@${shortDigest(i.digest)} for OCIR with ${o.kmsKeyVersionId}: signature ${o.id}`,
  },
  'ocir.tag': {
    kind: 'signature.tagged',
    asked: (i) => ({
      what: `Tag the OCIR signature ${i.signature} of ${i.repository}@${shortDigest(i.digest)}`,
      fields: { repository: i.repository, digest: i.digest, signatureId: i.signature, registryId: i.id },
    }),
    done: (i, o) =>
      `Tagged the OCIR signature ${i.signature}: ${Object.keys(o.freeformTags).length} free-form, ${Object.keys(o.definedTags).length} defined namespaces`,
  },
  'ocir.delete': {
    kind: 'signature.deleted',
    asked: (i) => ({
      what: `Delete the OCIR signature ${i.signature} of ${i.repository}@${shortDigest(i.digest)}`,
      fields: { repository: i.repository, digest: i.digest, signatureId: i.signature, registryId: i.id, format: 'ocir' },
    }),
    done: (i) => `Deleted the OCIR signature ${i.signature} of ${i.repository}@${shortDigest(i.digest)}`,
  },
  'signatures.deleteByKey': {
    kind: 'signature.deleted',
    asked: (i) => ({
      what: `${i.dryRun ? 'Count' : 'Delete'} every signature by ${q(keyRef(i.key))} in ${i.repository ?? 'every repository of the registry'}`,
      fields: {
        key: keyRef(i.key),
        ...(i.repository ? { repository: i.repository } : {}),
        registryId: i.id,
        ...(i.dryRun ? { dryRun: true } : {}),
        ...(i.expectedCount !== undefined ? { expectedCount: i.expectedCount } : {}),
      },
    }),
    done: 'handler',
  },
  'rules.add': {
    kind: 'rule.changed',
    asked: (i) => ({ what: `Save the signing rule ${q(i.name)}`, fields: { rule: i.name } }),
    done: 'handler',
  },
  'rules.edit': {
    kind: 'rule.changed',
    asked: (i) => ({ what: `Change the signing rule ${q(i.name)}`, fields: { rule: i.name } }),
    done: 'handler',
  },
  'rules.remove': {
    kind: 'rule.changed',
    asked: (i) => ({
      what: `Delete the signing rule ${q(i.name)}${i.deleteSignatures ? ' and the signatures it made' : ''}`,
      fields: { rule: i.name, ...(i.deleteSignatures ? { deleteSignatures: true } : {}) },
    }),
    done: 'handler',
  },
  'rules.cancel': {
    kind: 'rule.ran',
    asked: (i) => ({ what: `Cancel the rule run ${i.jobId}`, fields: { jobId: i.jobId } }),
    done: (i, o) => (o.cancelled ? `Cancelled the rule run ${i.jobId}` : `There was no rule run ${i.jobId} to cancel`),
  },
  'rules.run': {
    kind: 'rule.ran',
    asked: (i) => ({
      what: `Run the signing rule ${q(i.name)}${i.image ? ` for ${i.image.repository}:${i.image.reference}` : ''}`,
      fields: { rule: i.name, ...(i.image ? { repository: i.image.repository, reference: i.image.reference } : {}) },
    }),
    done: (i, o) =>
      `Ran the signing rule ${q(i.name)} (${o.trigger}${o.resumed ? `, resuming ${o.resumed}` : ''}): ${o.status}; signed ${o.counts.signed}, already signed ${o.counts.alreadySigned}, failed ${o.counts.failed}, cancelled ${o.counts.cancelled}`,
  },
  'payload.sign': {
    kind: 'image.signed',
    asked: (i) => ({
      what: `Make an .asc signature for ${i.reference}@${shortDigest(i.digest)} with ${q(i.key)}`,
      fields: { key: i.key, reference: i.reference, digest: i.digest, format: 'asc' },
    }),
    done: 'handler',
  },
  'offline.sign': {
    kind: 'offline.signed',
    asked: (i) => ({
      what: `Sign a signing request offline with ${q(keyRef(i.key))}`,
      fields: {
        key: keyRef(i.key),
        ...(i.approved ? { approved: i.approved.length } : {}),
        ...(i.allowOnline ? { allowOnline: true } : {}),
      },
    }),
    done: 'handler',
  },
  'offline.attach': {
    kind: 'offline.attached',
    asked: (i) => ({
      what: 'Attach a signature bundle',
      fields: { ...(i.lookaside ? { lookaside: redactReference(i.lookaside) } : {}), ...(i.asc ? { target: target(i.asc) } : {}) },
    }),
    done: 'handler',
  },
  'offline.export': {
    kind: 'offline.transferred',
    asked: (i) => ({
      what: `Export ${i.references.length} image(s) to ${i.out}`,
      fields: { images: i.references.length, out: i.out, image: i.references.slice(0, 20).join(' ') },
    }),
    done: (i, o) => `Exported ${i.references.length} image(s) to ${o.out}`,
  },
  'offline.import': {
    kind: 'offline.transferred',
    asked: (i) => ({ what: `Import ${i.layout} into ${i.registry}`, fields: { layout: i.layout, registry: i.registry } }),
    done: (i) => `Imported ${i.layout} into ${i.registry}`,
  },
};
