// `weft proxy`: run one Envoy-compatible proxy from a bootstrap file and/or an ADS server.
import type { Command } from 'commander';
import { loadBootstrapFile } from '../../proxy/config/bootstrap.js';
import { ProxyMain } from '../../proxy/main.js';

export function register(program: Command): void {
  const cmd = program
    .command('proxy')
    .description('run one proxy (Envoy bootstrap and/or ADS)')
    .option('--bootstrap <file>', 'Envoy bootstrap (JSON or YAML)')
    .option('--xds <addr>', 'ADS server host:port (overrides the bootstrap)')
    .option('--node-id <id>', 'node id sent to the control plane')
    .option('--admin <addr>', 'admin address (default: bootstrap admin, else 127.0.0.1:15000)')
    .option('--concurrency <n>', 'worker processes', (v) => Number(v), 1)
    .option('--drain-time <seconds>', 'drain period for listener updates and shutdown', (v) => Number(v), 5)
    .action(
      async (o: {
        bootstrap?: string;
        xds?: string;
        nodeId?: string;
        admin?: string;
        concurrency: number;
        drainTime: number;
      }) => {
        if (!o.bootstrap && !o.xds)
          cmd.error('error: one of --bootstrap or --xds is required', { exitCode: 2 });
        const bootstrap = o.bootstrap
          ? loadBootstrapFile(o.bootstrap)
          : { node: { id: o.nodeId ?? 'weft-proxy', cluster: 'weft' } };
        const p = await ProxyMain.start({
          bootstrap,
          xds: o.xds,
          nodeId: o.nodeId,
          admin: o.admin,
          concurrency: o.concurrency,
          drainMs: o.drainTime * 1000,
        });
        process.stderr.write(`weft proxy: admin on 127.0.0.1:${p.adminPort}\n`);
        const stop = (): void => void p.stop().then(() => process.exit(0));
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await new Promise(() => undefined);
      },
    );
}
