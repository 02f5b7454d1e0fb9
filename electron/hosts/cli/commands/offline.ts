import { EXIT_FAILED, EXIT_OK, type CommandSpec } from '../command';
import { UsageError } from '../args';

export const commands: readonly CommandSpec[] = [
  {
    name: 'offline mode',
    summary: 'Turn offline mode on or off, or show it: when on, Signet opens no network connection at all',
    positionals: [{ name: 'on|off|status', description: 'What to do (default: status)', optional: true }],
    examples: ['signet offline mode on', 'signet offline mode status --json'],
    async run(ctx) {
      const action = ctx.args.positionals[0] ?? 'status';
      if (!['on', 'off', 'status'].includes(action)) throw new UsageError(`Expected on, off or status, not ${JSON.stringify(action)}.`);
      const result = action === 'status' ? await ctx.call('settings.get', {}) : await ctx.call('settings.set', { offlineMode: action === 'on' });
      if (!result.ok) {
        ctx.err(`signet: ${result.message}`);
        return EXIT_FAILED;
      }
      const on = result.value.offlineMode;
      ctx.out(ctx.json ? JSON.stringify({ offlineMode: on }) : `Offline mode is ${on ? 'on: Signet makes no network connections.' : 'off.'}`);
      return EXIT_OK;
    },
  },
];
