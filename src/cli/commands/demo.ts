// `weft demo`: `weft up` with the weather sample; prints the page URL once it answers 200
// through the ingress gateway, and how to try a canary. Ctrl-C stops everything.
import type { Command } from 'commander';
import type { UpFlags } from '../../runtime/mesh.js';
import { addUpOptions } from './up.js';

export function register(program: Command): void {
  addUpOptions(program.command('demo').description('run the weather sample on the local mesh')).action(
    async (flags: UpFlags) => {
      const { runDemo } = await import('../../runtime/mesh.js');
      process.exitCode = await runDemo(flags);
    },
  );
}
