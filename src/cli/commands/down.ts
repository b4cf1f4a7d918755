// `weft down`: stops the running `weft up` (pods drain gracefully) and removes every namespace,
// link and process Weft made, including what a crashed run left behind.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('down')
    .description('stop the local mesh and remove everything it made')
    .option('--state-dir <dir>', 'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root)')
    .option('--timeout <seconds>', 'how long to wait for a graceful stop', (v) => Number(v), 60)
    .action(async (opts: { stateDir?: string; timeout: number }) => {
      const { runDown } = await import('../../runtime/mesh.js');
      process.exitCode = await runDown(opts);
    });
}
