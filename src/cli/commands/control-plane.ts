// `weft control-plane`: runs the control plane alone (xDS on 15010, monitoring/debug/config API
// on 15014) until SIGINT or SIGTERM.
import type { Command } from 'commander';

interface Opts {
  config?: string;
  xds: string;
  http: string;
  stateDir?: string;
  mesh?: string;
}

export function register(program: Command): void {
  program
    .command('control-plane')
    .description('run the control plane alone (xDS, debug endpoints, config API)')
    .option('--config <dir>', 'directory of Istio YAML to serve and watch')
    .option('--xds <address>', 'xDS gRPC address', '127.0.0.1:15010')
    .option('--http <address>', 'monitoring, debug and config API address', '127.0.0.1:15014')
    .option(
      '--state-dir <dir>',
      'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root, else ~/.weft)',
    )
    .option('--mesh <file>', 'MeshConfig YAML file')
    .action(async (opts: Opts) => {
      const { resolveStateDir } = await import('../../config/state-dir.js');
      const { startControlPlane } = await import('../../controlplane/control-plane.js');
      const cp = await startControlPlane({
        configDir: opts.config,
        xds: opts.xds,
        http: opts.http,
        stateDir: resolveStateDir(opts.stateDir),
        meshFile: opts.mesh,
      });
      process.stdout.write(`control plane ready: xds=${cp.xdsAddress} http=${cp.httpAddress}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await cp.close();
    });
}
