// `weft proxy-config` views over a real proxy's admin API (a Weft proxy from an Envoy bootstrap).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { proxyConfigView } from '../../src/runtime/workloads/proxy-config.js';

let proxy: ChildProcess;
let admin: string;

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const CLUSTER = 'outbound|3002|v1|forecast.weather.svc.cluster.local';

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-pc-'));
  const file = join(dir, 'bootstrap.yaml');
  await writeFile(
    file,
    `static_resources:
  listeners:
  - name: 0.0.0.0_3002
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: outbound_0.0.0.0_3002
          route_config:
            name: "3002"
            virtual_hosts:
            - name: forecast.weather.svc.cluster.local:3002
              domains: ["forecast.weather.svc.cluster.local", "forecast"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: "${CLUSTER}" }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
  - name: "${CLUSTER}"
    connect_timeout: 1s
    type: STATIC
    load_assignment:
      cluster_name: "${CLUSTER}"
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 1 } } }
`,
  );
  admin = `127.0.0.1:${await freePort()}`;
  proxy = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'proxy', '--bootstrap', file, '--admin', admin],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${admin}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('proxy did not become ready');
});
after(() => proxy.kill('SIGKILL'));

const fetchAdmin = (path: string): Promise<string> => fetch(`http://${admin}${path}`).then((r) => r.text());

test('cluster view splits Istio cluster names into service, port, subset and direction', async () => {
  const out = await proxyConfigView('cluster', fetchAdmin);
  assert.match(out, /^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE/);
  assert.match(out, /forecast\.weather\.svc\.cluster\.local\s+3002\s+v1\s+outbound\s+STATIC/);
});

test('listener, route and endpoint views', async () => {
  assert.match(
    await proxyConfigView('listener', fetchAdmin),
    /127\.0\.0\.1\s+\d+\s+ALL\s+Inline Route: 3002/,
  );
  assert.match(
    await proxyConfigView('route', fetchAdmin),
    /3002\s+forecast\.weather\.svc\.cluster\.local,forecast\s+\/\*\s+-/,
  );
  assert.match(
    await proxyConfigView('endpoint', fetchAdmin),
    new RegExp(`127\\.0\\.0\\.1:1\\s+\\S+\\s+OK\\s+${CLUSTER.replace(/[|.]/g, '\\$&')}`),
  );
  const json = JSON.parse(await proxyConfigView('cluster', fetchAdmin, true));
  assert.equal(json[0].name, CLUSTER);
});
