// `weft validate -f FILE|DIR|- [-f …] [-o json]`: Istio's validation (Galley's webhook rules) on
// files, one line per problem: file:line: Kind ns/name: field.path: message. Exit 1 when invalid.
import { Option, type Command } from 'commander';
import { collect } from '../../config/sources/options.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('validate Istio and Kubernetes YAML as Istio would admit it')
    .requiredOption(
      '-f, --filename <path>',
      'file, directory (recursive) or - for stdin; repeatable',
      collect,
    )
    .addOption(new Option('-o, --output <format>', 'machine-readable output').choices(['json']))
    .action(async (opts: { filename: string[]; output?: 'json' }) => {
      const { readInput } = await import('../../config/sources/files.js');
      const { formatDiagnostic } = await import('../../config/diagnostics.js');
      const input = await readInput(opts.filename, true);
      const errors = input.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = input.diagnostics.filter((d) => d.severity === 'warning').length;
      if (opts.output === 'json') {
        const out = {
          valid: errors === 0,
          resources: input.resources.length,
          files: input.files,
          errors,
          warnings,
        };
        process.stdout.write(`${JSON.stringify({ ...out, diagnostics: input.diagnostics }, null, 2)}\n`);
      } else {
        for (const d of input.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
        const scope = `${input.resources.length} resource${input.resources.length === 1 ? '' : 's'} in ${input.files} file${input.files === 1 ? '' : 's'}`;
        process.stdout.write(
          errors === 0
            ? `✔ ${scope}: valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`
            : `✘ ${scope}: ${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`,
        );
      }
      process.exitCode = errors === 0 ? 0 : 1;
    });
}
