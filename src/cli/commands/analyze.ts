// `weft analyze -f … [-o json]`: validation plus Istio's cross-resource analyzers, printed as
// istioctl analyze prints them: `Error [IST0101] (VirtualService ns/name file:line) message`.
import { Option, type Command } from 'commander';
import { collect } from '../../config/sources/options.js';

const DOCS = 'https://istio.io/latest/docs/reference/config/analysis';

export function register(program: Command): void {
  program
    .command('analyze')
    .description("check config for problems across resources, with Istio's analyzer codes (IST0101…)")
    .requiredOption(
      '-f, --filename <path>',
      'file, directory (recursive) or - for stdin; repeatable',
      collect,
    )
    .addOption(new Option('-o, --output <format>', 'machine-readable output').choices(['json']))
    .action(async (opts: { filename: string[]; output?: 'json' }) => {
      const { readInput } = await import('../../config/sources/files.js');
      const { analyze } = await import('../../config/analysis/index.js');
      const input = await readInput(opts.filename, false);
      const messages = analyze(input.resources, input.diagnostics);
      const failed = messages.some((m) => m.level === 'Error');
      const reference = (m: (typeof messages)[number]): string | undefined =>
        m.file ? `${m.file}${m.line ? `:${m.line}` : ''}` : undefined;
      if (opts.output === 'json') {
        const out = messages.map((m) => ({
          code: m.code,
          documentationUrl: m.code.startsWith('IST') ? `${DOCS}/${m.code.toLowerCase()}/` : undefined,
          level: m.level,
          message: m.message,
          origin: m.origin,
          reference: reference(m),
        }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        for (const m of messages) {
          const where = [m.origin, reference(m)].filter(Boolean).join(' ');
          process.stdout.write(`${m.level} [${m.code}]${where ? ` (${where})` : ''} ${m.message}\n`);
        }
        const scope = `${input.resources.length} resources in ${input.files} files`;
        if (messages.length === 0)
          process.stdout.write(`✔ No validation issues found when analyzing ${scope}.\n`);
        else if (failed)
          process.stderr.write(
            `Error: Analyzers found issues when analyzing ${scope}.\nSee ${DOCS} for more information about causes and resolutions.\n`,
          );
      }
      process.exitCode = failed ? 1 : 0;
    });
}
