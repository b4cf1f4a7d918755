// `weft exec POD -- CMD…`: runs a command inside the pod's network namespace as the application
// would (so its traffic goes through the sidecar); POD may be `deploy/NAME`.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('exec <pod> <command...>')
    .description(
      'run a command in a pod (POD or deploy/NAME), e.g. weft exec deploy/sleep -- curl http://httpbin:8000/get',
    )
    .option('-n, --namespace <ns>', 'namespace of the pod')
    .option('--state-dir <dir>', 'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root)')
    .action(async (pod: string, command: string[], opts: { namespace?: string; stateDir?: string }) => {
      const { execInPod } = await import('../../runtime/workloads/inspect.js');
      process.exitCode = await execInPod(pod, command, opts);
    });
}
