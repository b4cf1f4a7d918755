// A TCP forwarder in the `weft up` process: publishes a pod port on a host address (the ingress
// gateway on 127.0.0.1:8080) or a host port on the bridge (the control plane for pods). The
// target is looked up per connection, so it follows the pod that is Ready now.
import net from 'node:net';

export interface ForwardTarget {
  host: string;
  port: number;
}

export class TcpForwarder {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  address = '';

  constructor(private readonly target: () => ForwardTarget | undefined) {
    this.server = net.createServer((down) => this.forward(down));
  }

  listen(host: string, port: number): Promise<this> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.address = `${host}:${(this.server.address() as net.AddressInfo).port}`;
        resolve(this);
      });
    });
  }

  private forward(down: net.Socket): void {
    const t = this.target();
    if (!t) {
      down.destroy();
      return;
    }
    const up = net.connect({ host: t.host, port: t.port });
    for (const s of [down, up]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      s.setNoDelay(true);
    }
    down.pipe(up);
    up.pipe(down);
    // A reset on one side resets the other, as a proxy would.
    down.once('error', () => up.resetAndDestroy());
    up.once('error', () => down.resetAndDestroy());
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
