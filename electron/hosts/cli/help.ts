import type { CommandSpec } from './command';
import type { CommandGroup } from './commands/index';

export function formatTopHelp(groups: readonly CommandGroup[]): string {
  const width = Math.max(...groups.map((g) => g.name.length)) + 2;
  return [
    'Usage: signet <command> [options]',
    '',
    'Signet signs and verifies OCI container images with keys from the OS keychain, PKCS#11 tokens and cloud KMS.',
    '',
    'Commands:',
    ...groups.map((g) => `  ${g.name.padEnd(width)}${g.summary}`),
    '',
    'Global options: --json (machine-readable output), --help, --version',
    'Environment: SIGNET_HOME selects the data directory.',
    'Exit codes: 0 ok, 1 failed, 2 usage error.',
  ].join('\n');
}

export function formatGroupHelp(group: CommandGroup, specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length)) + 2;
  return [`Usage: signet ${group.name} <command> [options]`, '', group.summary, '', 'Commands:', ...specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`)].join('\n');
}

export function formatCommandHelp(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => `${p.optional ? `[${p.name}]` : p.name}${p.variadic ? '...' : ''}`).join(' ');
  const lines = [`Usage: signet ${spec.name}${positionals ? ` ${positionals}` : ''} [options]`, '', spec.summary];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(22)}${p.description}`);
  }
  lines.push('', 'Options:');
  const options = [...(spec.options ?? []), { name: 'json', type: 'boolean', description: 'Print machine-readable JSON' }, { name: 'help', type: 'boolean', description: 'Show this help' }];
  for (const o of options) {
    const label = `--${o.name}${o.type === 'boolean' ? '' : ` ${('value' in o && o.value) || 'VALUE'}`}${o.type === 'strings' ? '...' : ''}`;
    lines.push(`  ${label.padEnd(22)}${o.description}`);
  }
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
