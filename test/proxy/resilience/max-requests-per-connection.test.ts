// Cluster max_requests_per_connection as Envoy counts it: N requests on a connection, then a new
// one (1 means no reuse at all — what a DestinationRule's maxRequestsPerConnection: 1 asks for).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startProxy, staticCluster, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, tempLog, type CountingUpstream } from './fixtures.js';

describe('max_requests_per_connection', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    // Each reply names the upstream connection it came on (the proxy's source port).
    up = await countingUpstream((req, res) => res.end(String(req.socket.remotePort)));
    const cluster = (name: string, max: number): string =>
      staticCluster(name, [up.port], `\nmax_requests_per_connection: ${max}`);
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - {match: {prefix: /one/}, route: {cluster: one}}
  - {match: {prefix: /three/}, route: {cluster: three}}`,
        clusters: `${cluster('one', 1)}\n${cluster('three', 3)}`,
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  /** Upstream connections (client ports) that served the requests under `prefix`, sent one by one. */
  async function connectionsFor(prefix: string, n: number): Promise<string[]> {
    const ports: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await request(port, `${prefix}${i}`);
      assert.equal(r.status, 200);
      ports.push(r.body);
    }
    return ports;
  }

  it('1: every request on its own upstream connection', async () => {
    const ports = await connectionsFor('/one/', 5);
    assert.equal(new Set(ports).size, 5, `ports ${ports.join(',')}`);
  });

  it('3: three requests per upstream connection', async () => {
    const ports = await connectionsFor('/three/', 6);
    assert.deepEqual(
      ports.map((p) => ports.indexOf(p)),
      [0, 0, 0, 3, 3, 3],
      `ports ${ports.join(',')}`,
    );
  });
});
