// `weft up [-f FILE|DIR|-]… [--images FILE] [--detach]`: starts the local mesh (control plane,
// CA, pod network, ingress gateway on 127.0.0.1) and the workloads in the given YAML. In the
// foreground Ctrl-C stops everything; --detach returns once every workload is Ready.
import { Option, type Command } from 'commander';
import { collect } from '../../config/sources/options.js';
import type { UpFlags } from '../../runtime/mesh.js';

export function addUpOptions(cmd: Command): Command {
  return cmd
    .option('--images <file>', 'image catalogue: container image → local command')
    .option('--state-dir <dir>', 'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root)')
    .option('--pod-cidr <cidr>', 'pod addresses', '10.244.0.0/16')
    .option('--service-cidr <cidr>', 'service VIPs', '10.96.0.0/16')
    .option(
      '--publish <host:port>',
      'publish ingress port PORT on 127.0.0.1:HOST (default 8080:80, 8443:443, 31400:31400)',
      collect,
    )
    .option('--egress-gateway', 'also run istio-egressgateway')
    .option('--timeout <seconds>', 'how long to wait for workloads to become Ready', (v) => Number(v), 300)
    .addOption(new Option('--xds-port <port>').argParser(Number).hideHelp())
    .addOption(new Option('--http-port <port>').argParser(Number).hideHelp())
    .addOption(new Option('--ca-port <port>').argParser(Number).hideHelp());
}

export function register(program: Command): void {
  addUpOptions(
    program
      .command('up')
      .description('start the local mesh and the workloads in the given Kubernetes/Istio YAML')
      .option('-f, --filename <path>', 'file, directory or - (stdin); repeatable', collect)
      .option('--detach', 'run in the background and return once everything is Ready'),
  ).action(async (flags: UpFlags) => {
    const { runUp } = await import('../../runtime/mesh.js');
    process.exitCode = await runUp(flags);
  });
}
