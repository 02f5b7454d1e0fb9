import type { CommandSpec } from './command';
import type { CommandGroup } from './commands/index';

export function formatTopHelp(groups: readonly CommandGroup[]): string {
  return [
    'Usage: signet <command> [options]',
    '',
    'Signet signs and verifies OCI container images with keys from the OS keychain, PKCS#11 tokens and cloud KMS.',
    '',
    'Commands:',
    ...columns(groups.map((g) => [g.name, g.summary] as const)),
    '',
    'Global options: --json (machine-readable output), --help, --version',
    'Environment: SIGNET_HOME selects the data directory.',
    'Exit codes: 0 ok, 1 failed, 2 usage error.',
  ].join('\n');
}

/** Two aligned columns; a label longer than the column puts its text on the next line, never against it. */
function columns(rows: ReadonlyArray<readonly [string, string]>, maxWidth = 34): string[] {
  const width = Math.min(Math.max(...rows.map(([label]) => label.length)) + 2, maxWidth);
  return rows.flatMap(([label, text]) =>
    label.length + 2 > width ? [`  ${label}`, `  ${' '.repeat(width)}${text}`] : [`  ${label.padEnd(width)}${text}`],
  );
}

/** A group's own commands only: one command module may serve several groups (trust and policy). */
export function formatGroupHelp(group: CommandGroup, specs: readonly CommandSpec[], notes: readonly string[] = []): string {
  const own = specs.filter((s) => s.name === group.name || s.name.startsWith(`${group.name} `));
  return [
    `Usage: signet ${group.name} <command> [options]`,
    '',
    group.summary,
    '',
    'Commands:',
    ...columns(own.map((s) => [s.name, s.summary] as const)),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

/** A global option, listed in the help of every command that may need a key from the encrypted vault. */
export const VAULT_PASSWORD_OPTION = {
  name: 'vault-password-env',
  type: 'string',
  value: 'VAR',
  description: 'When a key in the encrypted vault is needed: read the vault passphrase from this variable (else a prompt)',
} as const;

export function formatCommandHelp(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => `${p.optional ? `[${p.name}]` : p.name}${p.variadic ? '...' : ''}`).join(' ');
  const lines = [`Usage: signet ${spec.name}${positionals ? ` ${positionals}` : ''} [options]`, '', spec.summary];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    lines.push(...columns(spec.positionals.map((p) => [p.name, p.description] as const)));
  }
  lines.push('', 'Options:');
  const options = [
    ...(spec.options ?? []),
    ...(spec.mayUnlockVault ? [VAULT_PASSWORD_OPTION] : []),
    { name: 'json', type: 'boolean', description: 'Print machine-readable JSON' },
    { name: 'help', type: 'boolean', description: 'Show this help' },
  ];
  lines.push(
    ...columns(
      options.map(
        (o) =>
          [
            `--${o.name}${o.type === 'boolean' ? '' : ` ${('value' in o && o.value) || 'VALUE'}`}${o.type === 'strings' ? '...' : ''}`,
            o.description,
          ] as const,
      ),
    ),
  );
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
