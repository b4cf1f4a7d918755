// How Weft starts its own programs in child processes (the agent in a pod, the proxy under the
// agent): the same node binary, and tsx when running from source, so tests and dist behave alike.
import { fileURLToPath } from 'node:url';

export interface NodeCommand {
  command: string;
  args: string[];
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** `module` is a path relative to src/ (or dist/) without extension, e.g. `cli/main`. */
export function nodeCommand(module: string, args: readonly string[] = []): NodeCommand {
  const file = fileURLToPath(new URL(`../${module}.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
  return {
    command: process.execPath,
    // An absolute loader URL: the child's working directory is not the checkout.
    args: [...(FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : []), file, ...args],
  };
}
