// envoy.filters.http.fault: fixed delay (DI), HTTP and gRPC aborts (FI) that never reach the
// upstream, header-controlled faults, per-route override and disable, max_active_faults, and the
// http.<prefix>.fault.* stats (scenarios 14 and 15).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

describe('fault filter', () => {
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  const log = tempLog();
  before(async () => {
    up = await countingUpstream();
    px = await startProxy(
      bootstrap({
        log,
        filters: `
- name: envoy.filters.http.fault
  typed_config:
    "@type": ${FAULT}
    max_active_faults: 1
    delay:
      header_delay: {}
      percentage: {numerator: 100}
    abort:
      header_abort: {}
      percentage: {numerator: 100}`,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /delay}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": ${FAULT}
        delay: {fixed_delay: 0.3s, percentage: {numerator: 100}}
  - match: {prefix: /abort}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": ${FAULT}
        abort: {http_status: 500, percentage: {numerator: 100}}
  - match: {prefix: /grpc}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": ${FAULT}
        abort: {grpc_status: 14}
  - match: {prefix: /never}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": ${FAULT}
        abort: {http_status: 503, percentage: {numerator: 0}}
  - match: {prefix: /only-tester}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": ${FAULT}
        abort: {http_status: 418}
        headers: [{name: cookie, string_match: {contains: user=tester}}]
  - match: {prefix: /off}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.fault:
        "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig
        disabled: true
  - match: {prefix: /}
    route: {cluster: backend}`,
        clusters: staticCluster('backend', [up.port]),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  it('fixed delay: 200 after the delay, flag DI, delays_injected', async () => {
    const t0 = Date.now();
    const r = await request(port, '/delay');
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 300, `answered after ${Date.now() - t0} ms`);
    assert.deepEqual(await logLines(log, '/delay '), ['/delay 200 DI']);
    assert.equal(await stat(px.admin, 'http.ingress.fault.delays_injected'), 1);
  });

  it('abort 500 at 100%: all 500 "fault filter abort", none reaches the upstream, flag FI', async () => {
    const before = up.seen.length;
    for (let i = 0; i < 5; i++) {
      const r = await request(port, '/abort');
      assert.equal(r.status, 500);
      assert.equal(r.body, 'fault filter abort');
    }
    assert.equal(up.seen.length, before);
    assert.deepEqual(await logLines(log, '/abort '), Array(5).fill('/abort 500 FI'));
    assert.equal(await stat(px.admin, 'http.ingress.fault.aborts_injected'), 5);
  });

  it('gRPC abort: trailers-only reply with the configured grpc-status', async () => {
    const r = await request(port, '/grpc', { headers: { 'content-type': 'application/grpc' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['grpc-status'], '14');
    assert.equal(r.headers['grpc-message'], 'fault filter abort');
  });

  it('0% abort and non-matching headers never fault', async () => {
    assert.equal((await request(port, '/never')).status, 200);
    assert.equal((await request(port, '/only-tester')).status, 200);
    assert.equal(
      (await request(port, '/only-tester', { headers: { cookie: 'a=1; user=tester' } })).status,
      418,
    );
  });

  it('header-controlled faults from the listener config; disabled per route', async () => {
    const r = await request(port, '/hdr', { headers: { 'x-envoy-fault-abort-request': '429' } });
    assert.equal(r.status, 429);
    const zero = await request(port, '/hdr', {
      headers: { 'x-envoy-fault-abort-request': '429', 'x-envoy-fault-abort-request-percentage': '0' },
    });
    assert.equal(zero.status, 200);
    const off = await request(port, '/off', { headers: { 'x-envoy-fault-abort-request': '429' } });
    assert.equal(off.status, 200);
  });

  it('max_active_faults: a second concurrent fault is skipped and counted as overflow', async () => {
    const slow = request(port, '/hdr-slow', { headers: { 'x-envoy-fault-delay-request': '300' } });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const fast = await request(port, '/hdr-fast', { headers: { 'x-envoy-fault-delay-request': '300' } });
    assert.equal(fast.status, 200);
    assert.ok(Date.now() - t0 < 250);
    assert.equal((await slow).status, 200);
    assert.equal(await stat(px.admin, 'http.ingress.fault.faults_overflow'), 1);
  });
});
