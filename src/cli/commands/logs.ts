// `weft logs POD [-c CONTAINER]`: a container's log from the state directory (`-c proxy` is the
// sidecar, Istio's `istio-proxy`); POD may be `deploy/NAME`.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('logs <pod>')
    .description('print a container log of a pod (POD or deploy/NAME)')
    .option(
      '-c, --container <name>',
      'container (default: the first application container; proxy = istio-proxy)',
    )
    .option('-n, --namespace <ns>', 'namespace of the pod')
    .option('-f, --follow', 'keep printing new lines')
    .option('--state-dir <dir>', 'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root)')
    .action(
      async (
        pod: string,
        opts: { container?: string; namespace?: string; follow?: boolean; stateDir?: string },
      ) => {
        const { printLogs } = await import('../../runtime/workloads/inspect.js');
        process.exitCode = await printLogs(pod, opts);
      },
    );
}
