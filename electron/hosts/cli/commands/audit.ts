import { EXIT_FAILED, EXIT_OK, type CommandSpec } from '../command';
import { UsageError } from '../args';

export const commands: readonly CommandSpec[] = [
  {
    name: 'audit list',
    summary: 'Show the audit log, newest first',
    options: [{ name: 'limit', type: 'string', value: 'N', description: 'How many entries (default 50)' }],
    async run(ctx) {
      const limit = Number(ctx.args.options.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000.');
      const result = await ctx.call('audit.list', { limit });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      if (ctx.json) ctx.out(JSON.stringify(result.value, null, 2));
      else if (result.value.entries.length === 0) ctx.out('The audit log is empty.');
      else for (const e of result.value.entries) ctx.out(`${String(e.seq).padStart(5)}  ${e.time}  ${e.type.padEnd(17)}${e.summary}`);
      return EXIT_OK;
    },
  },
  {
    name: 'audit verify',
    summary: 'Check the audit log’s hash chain; exits 1 when it was tampered with',
    async run(ctx) {
      const result = await ctx.call('audit.verify', {});
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      const v = result.value;
      ctx.out(ctx.json ? JSON.stringify(v) : v.intact ? `The audit log is intact (${v.entries} entries).` : `The audit log is NOT intact: ${v.problem}`);
      return v.intact ? EXIT_OK : EXIT_FAILED;
    },
  },
];
