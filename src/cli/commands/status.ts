// `weft status`: the pods of the running local mesh, as `kubectl get pods` prints them.
import { Option, type Command } from 'commander';

export function register(program: Command): void {
  program
    .command('status')
    .description('pods of the running local mesh: READY, STATUS, RESTARTS, AGE, IP')
    .option('-n, --namespace <ns>', 'only this namespace')
    .option('--state-dir <dir>', 'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root)')
    .addOption(new Option('-o, --output <format>', 'machine-readable output').choices(['json']))
    .action(async (opts: { namespace?: string; stateDir?: string; output?: 'json' }) => {
      const { printStatus } = await import('../../runtime/workloads/inspect.js');
      process.exitCode = printStatus(opts);
    });
}
