// What every benchmark reads from its command line, and where the checkout is.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const args = process.argv.slice(2);

/** `--name N`, or `def` when absent. */
export function numberOption(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
