// CLI commands that keep running: `mcp` (MCP over stdio) and `serve` (MCP over HTTP plus the JSON API).
import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { openPhysarum, locateStore } from '../open.js';
import { cliActor, int, collect, type GlobalOptions } from './context.js';

// The MCP SDK and the HTTP server load only for these commands, keeping every other command's start-up fast.

const VERSION = '0.1.0';

export function registerServerCommands(program: Command): void {
  program
    .command('mcp')
    .description('run the MCP server over stdio (for Claude Code and other MCP clients)')
    .option('--instance <name>', 'this instance\'s name in the change log (default: $PHYSARUM_INSTANCE, else the client name + a random suffix)')
    .option('--model <model>', 'the model behind the instance (default: $PHYSARUM_MODEL)')
    .action(async (o, cmd: Command) => {
      const [{ StdioTransport }, { createMcpServer }, { SessionActor }] = await Promise.all([
        import('../mcp/stdio.js'),
        import('../mcp/server.js'),
        import('../mcp/actor.js'),
      ]);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const physarum = await openPhysarum(g.store ? { store: g.store } : {});
      const server = createMcpServer({
        physarum,
        actor: new SessionActor(() => server.server.getClientVersion(), { ...(o.instance ? { instance: o.instance } : {}), ...(o.model ? { model: o.model } : {}) }),
        version: VERSION,
      });
      const transport = new StdioTransport();
      // stdout belongs to the protocol; anything for people goes to stderr.
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
      });
      await server.connect(transport);
      await closed;
      await server.close().catch(() => undefined);
      await physarum.close();
    });

  program
    .command('serve')
    .description('run MCP over Streamable HTTP (/mcp), the JSON API (/api) and the web viewer (/) on 127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', int('port'), 7077)
    .option('--host <host>', 'address to listen on; anything beyond loopback needs --token', '127.0.0.1')
    .option('--token <token>', 'require Authorization: Bearer <token> (default: $PHYSARUM_TOKEN)')
    .option('--allow-host <host>', 'also accept this Host header, e.g. name:port (repeatable)', collect, [])
    .option('--allow-origin <origin>', 'also accept this Origin (repeatable)', collect, [])
    .action(async (o, cmd: Command) => {
      const { serve } = await import('../http/server.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const located = locateStore(g.store ? { store: g.store } : {});
      const physarum = await openPhysarum({ store: located.path });
      const token: string | undefined = o.token ?? process.env['PHYSARUM_TOKEN'];
      const running = await serve({
        physarum,
        host: o.host,
        port: o.port,
        version: VERSION,
        // The viewer acts for the person who started the server (--as, $PHYSARUM_USER, the OS user), never an instance.
        person: cliActor({ ...(g.as ? { as: g.as } : {}) }),
        ...(process.env['PHYSARUM_VIEWER_KEY'] ? { viewerKey: process.env['PHYSARUM_VIEWER_KEY'] } : {}),
        ...(token ? { token } : {}),
        ...(o.allowHost.length ? { allowedHosts: o.allowHost } : {}),
        ...(o.allowOrigin.length ? { allowedOrigins: o.allowOrigin } : {}),
      });
      const lines = [
        `Physarum is serving ${located.path}`,
        `  MCP (Streamable HTTP): ${running.url}/mcp`,
        `  JSON API:              ${running.url}/api/info`,
        `  Viewer:                ${running.url}/`,
        `  Viewer sign-in key:    ${running.viewerKey}  (approve identity, revert; or open ${running.url}/#key=${running.viewerKey})`,
        '',
        'Connect Claude Code:',
        `  claude mcp add --transport http physarum ${running.url}/mcp`,
        '  or, over stdio (no server needed):',
        `  claude mcp add physarum -- ${process.execPath} ${fileURLToPath(new URL('./bin.cjs', import.meta.url))} mcp --store ${located.path}`,
        '',
        'Stop with Ctrl-C.',
      ];
      const stop = async () => {
        await running.close();
        await physarum.close();
        process.exit(0);
      };
      // Before the banner: whoever waits for it may stop the server at once, and should get a clean shutdown.
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      process.stderr.write(`${lines.join('\n')}\n`);
      await new Promise<never>(() => undefined);
    });
}
