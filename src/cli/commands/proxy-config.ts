// `weft proxy-config cluster|listener|route|endpoint|secret|bootstrap POD`: a pod proxy's config
// as istioctl shows it, read from its Envoy admin API.
import { Argument, Option, type Command } from 'commander';
// The views module is small (tables only); the runtime inspection is loaded when the command runs.
import { PROXY_CONFIG_KINDS, type ProxyConfigKind } from '../../runtime/workloads/proxy-config.js';

export function register(program: Command): void {
  program
    .command('proxy-config')
    .description("show a pod proxy's clusters, listeners, routes, endpoints, secrets or bootstrap")
    .addArgument(new Argument('<kind>', 'what to show').choices(PROXY_CONFIG_KINDS))
    .argument('<pod>', 'POD or deploy/NAME')
    .option('-n, --namespace <ns>', 'namespace of the pod')
    .option('--state-dir <dir>', 'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root)')
    .addOption(new Option('-o, --output <format>', 'raw JSON instead of a table').choices(['json']))
    .action(
      async (
        kind: ProxyConfigKind,
        pod: string,
        opts: { namespace?: string; stateDir?: string; output?: 'json' },
      ) => {
        const { printProxyConfig } = await import('../../runtime/workloads/inspect.js');
        process.exitCode = await printProxyConfig(kind, pod, opts);
      },
    );
}
