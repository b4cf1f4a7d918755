// `weft get KIND [NAME] [-n NS | -A] [-o yaml|json]`: reads config from the running control
// plane, as kubectl get does (a table of NAME and AGE by default).
import { Option, type Command } from 'commander';
import { serverOptions } from '../../config/sources/options.js';

export function register(program: Command): void {
  const cmd = program
    .command('get')
    .description('show config held by the running control plane')
    .argument('<kind>', 'kind, plural or short name (virtualservices, vs, gateway…)')
    .argument('[name]', 'one object')
    .option('-n, --namespace <ns>', 'namespace (default "default")')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']));
  for (const o of serverOptions()) cmd.addOption(o);
  cmd.action(
    async (
      kind: string,
      name: string | undefined,
      opts: {
        namespace?: string;
        allNamespaces?: boolean;
        output?: 'yaml' | 'json';
        server?: string;
        stateDir?: string;
      },
    ) => {
      const { getConfig } = await import('../../config/sources/api-client.js');
      process.exitCode = await getConfig(kind, name, opts);
    },
  );
}
