import { fileURLToPath } from 'node:url';
import { findRendererDir } from '../../../core/assets/static';
import { createCore, startAppRulesListener } from '../../../core/core';
import { listenerSecret, setupText } from '../../../core/rules/listener';
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
      {
        name: 'rules-port',
        type: 'string',
        value: 'PORT',
        description: 'While serving, also sign on push: the rules listener on 127.0.0.1:PORT (see `signet rules serve`)',
      },
    ],
    examples: ['signet serve', 'signet serve --port 8123 --read-only', 'signet serve --rules-port 8765'],
    async run(ctx) {
      const portText = ctx.args.str('port');
      const port = portText === undefined ? 0 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a number from 0 to 65535.');
      const readOnly = ctx.args.options['read-only'] === true;
      const rulesPortText = ctx.args.str('rules-port');
      const rulesPort = rulesPortText === undefined ? undefined : Number(rulesPortText);
      if (rulesPort !== undefined && (!Number.isInteger(rulesPort) || rulesPort < 0 || rulesPort > 65535))
        throw new UsageError('--rules-port must be a number from 0 to 65535.');
      if (rulesPort !== undefined && readOnly)
        throw new UsageError('The reviewer host signs nothing: --rules-port and --read-only do not go together.');
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
      // Sign on push while the app is served: its own core, so the audit log names the rules listener.
      const listener =
        rulesPort === undefined
          ? undefined
          : await startAppRulesListener({ dataDir: ctx.dataDir, host: 'web', port: rulesPort, log: (line) => ctx.err(line) });
      if (ctx.json) ctx.out(JSON.stringify({ url: host.url, port: host.port, readOnly, ...(listener ? { rulesUrl: listener.url } : {}) }));
      else
        ctx.out(
          `Signet is serving${readOnly ? ' in read-only reviewer mode' : ''} at\n  ${host.url}\nOpen that URL in a browser (it carries this run's token).${listener ? `\nIt signs on push too, with the rules whose trigger is event+manual:\n\n${setupText(listener.url, [], await listenerSecret(ctx.dataDir))}\n` : ''} Press Ctrl-C to stop.`,
        );
      await ctx.interrupted();
      await listener?.close();
      await host.close();
      return EXIT_OK;
    },
  },
];
