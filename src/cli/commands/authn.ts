// `weft authn tls-check [-f FILE|DIR …] [HOST[:PORT]] [-o json]` (istioctl 1.1 `authn tls-check`):
// per service port, the server's mTLS mode against the client TLS of its DestinationRule.
import { Option, type Command } from 'commander';
import { collect, serverOptions } from '../../config/sources/options.js';
import type { TlsCheckOptions } from '../../security/mtls/tls-check-report.js';

export function register(program: Command): void {
  const authn = program.command('authn').description('interact with Istio authentication policies');
  const cmd = authn
    .command('tls-check')
    .description(
      'check whether TLS settings match between authentication policies and destination rules (CONFLICT rows)',
    )
    .argument('[host]', 'one service: FQDN or short name, optionally :PORT')
    .option(
      '-f, --filename <path>',
      'read config from a file, directory (recursive) or - for stdin instead of the running control plane; repeatable',
      collect,
    )
    .option('-n, --namespace <ns>', 'namespace for objects in files that name none (default "default")')
    .option(
      '--no-auto-mtls',
      'clients without a DestinationRule TLS setting send plaintext (enableAutoMtls: false)',
    )
    .addOption(new Option('-o, --output <format>', 'machine-readable output').choices(['json']));
  for (const o of serverOptions()) cmd.addOption(o);
  cmd.action(async (host: string | undefined, opts: TlsCheckOptions) => {
    const { tlsCheckReport } = await import('../../security/mtls/tls-check-report.js');
    const r = await tlsCheckReport(host, opts);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}
