// `weft apply [-n NS] -f …`: sends config to the running control plane's config API; like
// kubectl, prints `kind.group/name created|configured|unchanged` per object.
import { Option, type Command } from 'commander';
import { collect, serverOptions } from '../../config/sources/options.js';

export function register(program: Command): void {
  const cmd = program
    .command('apply')
    .description('apply config to the running control plane (all-or-nothing)')
    .requiredOption(
      '-f, --filename <path>',
      'file, directory (recursive) or - for stdin; repeatable',
      collect,
    )
    .option('-n, --namespace <ns>', 'namespace for objects that name none')
    .addOption(new Option('-o, --output <format>', 'machine-readable output').choices(['json']));
  for (const o of serverOptions()) cmd.addOption(o);
  cmd.action(
    async (opts: {
      filename: string[];
      namespace?: string;
      output?: 'json';
      server?: string;
      stateDir?: string;
    }) => {
      const { sendManifests } = await import('../../config/sources/api-client.js');
      process.exitCode = await sendManifests('apply', opts);
    },
  );
}
