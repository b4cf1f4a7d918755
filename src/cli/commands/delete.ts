// `weft delete [-n NS] -f …` or `weft delete KIND NAME… [-n NS]`: deletes config through the
// running control plane's config API, printing kubectl's `kind.group "name" deleted`.
import { Option, type Command } from 'commander';
import { collect, serverOptions } from '../../config/sources/options.js';

export function register(program: Command): void {
  const cmd = program
    .command('delete')
    .description('delete config from the running control plane')
    .argument('[kind]', 'kind, plural or short name (instead of -f)')
    .argument('[names...]', 'names of the objects to delete')
    .option('-f, --filename <path>', 'file, directory (recursive) or - for stdin; repeatable', collect)
    .option('-n, --namespace <ns>', 'namespace for objects that name none')
    .addOption(new Option('-o, --output <format>', 'machine-readable output').choices(['json']));
  for (const o of serverOptions()) cmd.addOption(o);
  cmd.action(
    async (
      kind: string | undefined,
      names: string[],
      opts: { filename?: string[]; namespace?: string; output?: 'json'; server?: string; stateDir?: string },
    ) => {
      if ((opts.filename ? 1 : 0) + (kind ? 1 : 0) !== 1 || (kind && names.length === 0)) {
        process.stderr.write('error: use either -f FILE… or KIND NAME…\n');
        process.exitCode = 2;
        return;
      }
      const client = await import('../../config/sources/api-client.js');
      process.exitCode = opts.filename
        ? await client.sendManifests('delete', { ...opts, filename: opts.filename })
        : await client.deleteByName(kind!, names, opts);
    },
  );
}
