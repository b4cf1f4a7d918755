// request_mirror_policies (scenario 24): the client gets the primary's answer, the shadow cluster
// sees the same request with "-shadow" appended to the host (before the port) and the body; a
// failing or unreachable shadow never affects the client; runtime_fraction 0 mirrors nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { shadowAuthority } from '../../../src/proxy/router/mirror.js';
import { request, startProxy, staticCluster, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, tempLog, type CountingUpstream } from './fixtures.js';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('request mirroring', () => {
  let primary: CountingUpstream;
  let shadow: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    primary = await countingUpstream((_q, res) => res.end('primary'));
    shadow = await countingUpstream((_q, res) => {
      res.writeHead(500);
      res.end('shadow failed');
    });
    const dead = await countingUpstream();
    const deadPort = dead.port;
    await dead.close();
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /never}
    route:
      cluster: primary
      request_mirror_policies: [{cluster: shadow, runtime_fraction: {default_value: {numerator: 0}}}]
  - match: {prefix: /dead}
    route: {cluster: primary, request_mirror_policies: [{cluster: dead}]}
  - match: {prefix: /}
    route:
      cluster: primary
      request_mirror_policies: [{cluster: shadow, runtime_fraction: {default_value: {numerator: 100}}}]`,
        clusters:
          staticCluster('primary', [primary.port]) +
          staticCluster('shadow', [shadow.port]) +
          staticCluster('dead', [deadPort]),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await primary.close();
    await shadow.close();
  });

  it('both see the request; the shadow host ends with -shadow; the client gets the primary answer', async () => {
    const r = await request(port, '/m1', { headers: { host: 'forecast:3002' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'primary');
    await until(() => shadow.seen.some((s) => s.url === '/m1'));
    assert.equal(primary.seen.find((s) => s.url === '/m1')?.headers.host, 'forecast:3002');
    assert.equal(shadow.seen.find((s) => s.url === '/m1')?.headers.host, 'forecast-shadow:3002');
  });

  it('the body is mirrored', async () => {
    const r = await request(port, '/m2', { method: 'POST', body: 'hello mirror' });
    assert.equal(r.status, 200);
    await until(() => shadow.seen.some((s) => s.url === '/m2'));
    assert.equal(shadow.seen.find((s) => s.url === '/m2')?.body, 'hello mirror');
    assert.equal(primary.seen.find((s) => s.url === '/m2')?.body, 'hello mirror');
  });

  it('an unreachable shadow never affects the client; fraction 0 mirrors nothing', async () => {
    assert.equal((await request(port, '/dead')).body, 'primary');
    assert.equal((await request(port, '/never')).body, 'primary');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(shadow.seen.filter((s) => s.url === '/never').length, 0);
  });

  it('shadow authority: suffix before the port', () => {
    assert.equal(shadowAuthority('forecast'), 'forecast-shadow');
    assert.equal(shadowAuthority('forecast.weather:3002'), 'forecast.weather-shadow:3002');
    assert.equal(shadowAuthority('[::1]'), '[::1]-shadow');
  });
});
