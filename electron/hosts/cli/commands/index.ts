import type { CommandContext, CommandSpec } from '../command';

/**
 * The command groups. Each group's module is loaded only when it runs, so `signet --version`
 * and `signet --help` start without loading keys, registries or any KMS SDK.
 */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  load(): Promise<readonly CommandSpec[]>;
  /** Lines the group's help shows after its commands, read through the contract (only for that help). */
  notes?(call: CommandContext['call']): Promise<readonly string[]>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    name: 'doctor',
    summary: 'Check the environment: keychain, PKCS#11 modules, tools',
    load: async () => (await import('./doctor')).commands,
  },
  {
    name: 'serve',
    summary: 'Serve the app to a browser on 127.0.0.1 (browser mode)',
    load: async () => (await import('./serve')).commands,
  },
  {
    name: 'registry',
    summary: 'Saved registries: add, list, probe, browse repositories, tags and images',
    load: async () => (await import('./registry')).commands,
  },
  {
    name: 'key',
    summary: 'Signing keys: generate, list, show, export, retire, delete',
    load: async () => (await import('./key')).commands,
  },
  {
    name: 'kms',
    summary: 'Cloud KMS connections: add, list, browse keys, test-sign, remove',
    load: async () => (await import('./kms')).commands,
    notes: async (call) => (await import('./kms-help')).credentialSourceLines(call),
  },
  {
    name: 'token',
    summary: 'PKCS#11 tokens: modules, tokens, keys, generate on the token, test-sign, diagnostics',
    load: async () => (await import('./token')).commands,
  },
  { name: 'sign', summary: 'Sign an image in cosign format', load: async () => (await import('./sign')).commands },
  {
    name: 'verify',
    summary: 'Verify an image’s signatures (exit 0 only when verified)',
    load: async () => (await import('./sign')).commands,
  },
  { name: 'signatures', summary: 'List an image’s signatures with every check', load: async () => (await import('./sign')).commands },
  {
    name: 'signature',
    summary: 'One signature of an image: delete it (or every one by a key), tag it',
    load: async () => (await import('./signature')).commands,
  },
  {
    name: 'ocir',
    summary: 'Oracle OCIR’s own image signatures (API resources): list with a local verdict, sign, tag, delete',
    load: async () => (await import('./ocir')).commands,
  },
  {
    name: 'tags',
    summary: 'Every tag of a repository with its digest and signed state',
    load: async () => (await import('./sign')).commands,
  },
  {
    name: 'trust',
    summary: 'The trust store: add, add-key, list, remove trusted keys and certificates; ack-migration',
    load: async () => (await import('./trust')).commands,
  },
  {
    name: 'policy',
    summary: 'containers policy.json: import, export from the trust store, evaluate for an image',
    load: async () => (await import('./trust')).commands,
  },
  {
    name: 'storage',
    summary: 'Storage profiles for .asc files and lookaside signatures: add, list, remove, test',
    load: async () => (await import('./storage')).commands,
  },
  { name: 'payload', summary: 'Build a simple-signing payload byte for byte', load: async () => (await import('./storage')).commands },
  {
    name: 'asc',
    summary: 'Sign an image into a Huawei SWR {sha256}.asc file; save and/or upload it',
    load: async () => (await import('./storage')).commands,
  },
  {
    name: 'publish',
    summary: 'Publish a lookaside staging directory to a bucket; prints the registries.d snippet',
    load: async () => (await import('./storage')).commands,
  },
  {
    name: 'offline',
    summary: 'Air-gapped signing: requests, offline signing, bundle checks, offline mode',
    load: async () => (await import('./offline')).commands,
  },
  {
    name: 'rule',
    summary: 'Signing rules: add, list, show, edit, remove, run (--dry-run lists what a run would sign), keys',
    load: async () => (await import('./rules')).commands,
  },
  {
    name: 'rules',
    summary: 'Sign on push: `rules serve` listens for registry events and runs the matching rules',
    load: async () => (await import('./rules')).commands,
  },
  {
    name: 'audit',
    summary: 'The hash-chained audit log: list and filter, export (JSON Lines, CSV), verify (the log or an export)',
    load: async () => (await import('./audit')).commands,
  },
  {
    name: 'calls',
    summary: 'List the calls of the contract (what the app and scripts can do)',
    load: async () => (await import('./calls')).commands,
  },
];
