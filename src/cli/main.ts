// The `weft` command: one program, subcommands in ./commands (each exports register()).
// Exit codes: 0 success, 1 failure with a message, 2 usage error.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';

export class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const program = new Command('weft')
    .description('Weft: an Istio-compatible service mesh')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const all = readdirSync(dir)
    .filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.(js|ts)$/.test(f))
    .sort();
  // Each command lives in the file of its name: load only that one when it is named, so a
  // long-running `weft proxy` carries no other command's modules (help and typos load all).
  const named = all.filter((f) => f.replace(/\.(js|ts)$/, '') === argv[2]);
  const files = named.length > 0 ? named : all;
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    if (process.env.WEFT_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
