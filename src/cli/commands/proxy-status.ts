// `weft proxy-status`: xDS sync state of every connected proxy, as istioctl proxy-status prints it.
import { Option, type Command } from 'commander';
import { serverOptions } from '../../config/sources/options.js';

export function register(program: Command): void {
  const cmd = program
    .command('proxy-status')
    .description('show whether each connected proxy has the latest config (SYNCED, STALE, NOT SENT)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json']));
  for (const o of serverOptions()) cmd.addOption(o);
  cmd.action(async (opts: { output?: 'json'; server?: string; stateDir?: string }) => {
    const { proxyStatus } = await import('../../xds/debug/proxy-status.js');
    process.stdout.write(await proxyStatus(opts));
  });
}
