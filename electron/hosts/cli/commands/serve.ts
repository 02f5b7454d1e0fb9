import { fileURLToPath } from 'node:url';
import { findRendererDir } from '../../../core/assets/static';
import { createCore } from '../../../core/core';
import { startWebHost } from '../../web/server';
import { EXIT_FAILED, EXIT_OK, type CommandSpec } from '../command';
import { UsageError } from '../args';

export const commands: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'Serve the app to a browser on 127.0.0.1; prints the URL to open (it carries a per-run token)',
    options: [
      { name: 'port', type: 'string', value: 'PORT', description: 'Port on 127.0.0.1 (default: a free port)' },
      { name: 'read-only', type: 'boolean', description: 'Reviewer mode: nothing can be signed, deleted, exported or trusted' },
    ],
    examples: ['signet serve', 'signet serve --port 8123 --read-only'],
    async run(ctx) {
      const portText = ctx.args.str('port');
      const port = portText === undefined ? 0 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a number from 0 to 65535.');
      const readOnly = ctx.args.options['read-only'] === true;
      const rendererDir = ctx.env.SIGNET_RENDERER_DIR ?? (await findRendererDir(fileURLToPath(import.meta.url)));
      if (!rendererDir) ctx.err('signet: the renderer is not built; run `npm run build` first. Serving the API only.');
      const core = createCore({ dataDir: ctx.dataDir, host: 'web', readOnly, log: (line) => ctx.err(line) });
      let host;
      try {
        host = await startWebHost({ core, port, ...(rendererDir ? { rendererDir } : {}) });
      } catch (error) {
        ctx.err(`signet: cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`);
        return EXIT_FAILED;
      }
      if (ctx.json) ctx.out(JSON.stringify({ url: host.url, port: host.port, readOnly }));
      else ctx.out(`Signet is serving${readOnly ? ' in read-only reviewer mode' : ''} at\n  ${host.url}\nOpen that URL in a browser (it carries this run's token). Press Ctrl-C to stop.`);
      await ctx.interrupted();
      await host.close();
      return EXIT_OK;
    },
  },
];
