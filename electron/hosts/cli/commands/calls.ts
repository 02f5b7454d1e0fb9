import { contract } from '../../../../shared/api';
import { EXIT_OK, type CommandSpec } from '../command';

export const commands: readonly CommandSpec[] = [
  {
    name: 'calls',
    summary: 'List every call of the contract with its effect',
    async run(ctx) {
      const rows = Object.entries(contract).map(([name, def]) => ({ name, effect: def.effect, summary: def.summary }));
      if (ctx.json) ctx.out(JSON.stringify(rows, null, 2));
      else {
        const width = Math.max(...rows.map((r) => r.name.length)) + 2;
        for (const r of rows) ctx.out(`${r.name.padEnd(width)}${r.effect.padEnd(14)}${r.summary}`);
      }
      return EXIT_OK;
    },
  },
];
