import type { DoctorReport } from '../../../../shared/model';
import { EXIT_FAILED, EXIT_OK, type CommandSpec } from '../command';

export const commands: readonly CommandSpec[] = [
  {
    name: 'doctor',
    summary: 'Check the environment: data directory, OS keychain, PKCS#11 modules, skopeo and gpg, offline mode',
    examples: ['signet doctor', 'signet doctor --json'],
    async run(ctx) {
      const result = await ctx.call('doctor.run', {});
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      ctx.out(ctx.json ? JSON.stringify(result.value, null, 2) : formatReport(result.value));
      return EXIT_OK;
    },
  },
];

export function formatReport(report: DoctorReport): string {
  const rows: Array<[string, string]> = [];
  const dir = report.dataDir;
  rows.push(['Data directory', `${dir.path} (${dir.exists ? (dir.writable ? 'writable' : 'not writable') : 'not created yet'})`]);
  rows.push([
    'OS keychain',
    `${report.keychain.backend}: ${report.keychain.reachable ? 'reachable' : 'unreachable'}${report.keychain.reason ? ` (${report.keychain.reason})` : ''}`,
  ]);
  if (report.pkcs11Modules.length === 0) rows.push(['PKCS#11 modules', 'none found on the usual paths']);
  report.pkcs11Modules.forEach((m, i) => rows.push([i === 0 ? 'PKCS#11 modules' : '', `${m.name}  ${m.path}`]));
  report.tools.forEach((t, i) =>
    rows.push([
      i === 0 ? 'Tools' : '',
      t.present
        ? `${t.name} ${t.version ?? '(version unknown)'}  ${t.path ?? ''}`.trimEnd()
        : `${t.name}: not found${t.reason ? ` (${t.reason})` : ''}`,
    ]),
  );
  rows.push(['Offline mode', report.offlineMode ? 'on' : 'off']);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return [
    `Signet ${report.appVersion} on ${report.platform}, Node ${report.nodeVersion}`,
    ...rows.map(([k, v]) => `${k.padEnd(width)}${v}`),
  ].join('\n');
}
