// envoy.filters.http.local_ratelimit (scenario 22): 4 tokens per window → 5 requests give
// 4 × 200 and 1 × 429 "local_rate_limited" with x-envoy-ratelimited, the configured headers and
// flag RL; after the fill interval, 200 again. Per-route buckets, a route that disables the
// filter, filter_enforced 0% (counted, not enforced), and the <stat_prefix>.http_local_rate_limit.* stats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenBucket } from '../../../src/proxy/filters/http/local_ratelimit/token-bucket.js';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

const LRL = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const ALL = '{default_value: {numerator: 100}, runtime_key: k}';

describe('local rate limit', () => {
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
- name: envoy.filters.http.local_ratelimit
  typed_config:
    "@type": ${LRL}
    stat_prefix: http_local_rate_limiter
    token_bucket: {max_tokens: 4, tokens_per_fill: 4, fill_interval: 0.4s}
    filter_enabled: ${ALL}
    filter_enforced: ${ALL}
    response_headers_to_add: [{append: false, header: {key: x-local-rate-limit, value: "true"}}]`,
        routes: `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - match: {prefix: /route}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.local_ratelimit:
        "@type": ${LRL}
        stat_prefix: per_route
        token_bucket: {max_tokens: 1, fill_interval: 60s}
        filter_enabled: ${ALL}
        filter_enforced: ${ALL}
        status: {code: 503}
  - match: {prefix: /shadow}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.local_ratelimit:
        "@type": ${LRL}
        stat_prefix: shadow_mode
        token_bucket: {max_tokens: 1, fill_interval: 60s}
        filter_enabled: ${ALL}
        request_headers_to_add_when_not_enforced: [{header: {key: x-would-limit, value: "1"}}]
  - match: {prefix: /free}
    route: {cluster: backend}
    typed_per_filter_config:
      envoy.filters.http.local_ratelimit:
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

  it('4 per window: 5 requests → 4 × 200, 1 × 429 RL; 200 again after the fill interval', async () => {
    await new Promise((r) => setTimeout(r, 400)); // start on a full bucket
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(await request(port, '/lim'));
    assert.deepEqual(
      codes.map((r) => r.status),
      [200, 200, 200, 200, 429],
    );
    const limited = codes[4]!;
    assert.equal(limited.body, 'local_rate_limited');
    assert.equal(limited.headers['x-envoy-ratelimited'], 'true');
    assert.equal(limited.headers['x-local-rate-limit'], 'true');
    assert.deepEqual((await logLines(log, '/lim ')).at(-1), '/lim 429 RL');
    assert.equal(await stat(px.admin, 'http_local_rate_limiter.http_local_rate_limit.enforced'), 1);
    assert.equal(await stat(px.admin, 'http_local_rate_limiter.http_local_rate_limit.ok'), 4);
    await new Promise((r) => setTimeout(r, 450));
    assert.equal((await request(port, '/lim')).status, 200);
  });

  it('a per-route bucket and status; a route that disables the filter', async () => {
    assert.equal((await request(port, '/route')).status, 200);
    assert.equal((await request(port, '/route')).status, 503);
    for (let i = 0; i < 8; i++) assert.equal((await request(port, '/free')).status, 200);
  });

  it('filter_enforced 0%: over the limit is counted, not enforced', async () => {
    assert.equal((await request(port, '/shadow/1')).status, 200);
    assert.equal((await request(port, '/shadow/2')).status, 200);
    assert.equal(await stat(px.admin, 'shadow_mode.http_local_rate_limit.rate_limited'), 1);
    assert.equal(await stat(px.admin, 'shadow_mode.http_local_rate_limit.enforced'), 0);
    assert.equal(up.seen.find((s) => s.url === '/shadow/2')?.headers['x-would-limit'], '1');
  });

  it('token bucket refills tokens_per_fill per interval up to max (fake clock)', () => {
    let now = 0;
    const b = new TokenBucket(2, 1, 100, () => now);
    assert.deepEqual([b.consume(), b.consume(), b.consume()], [true, true, false]);
    now = 99;
    assert.equal(b.consume(), false);
    now = 100;
    assert.deepEqual([b.consume(), b.consume()], [true, false]);
    now = 10_000;
    assert.deepEqual([b.consume(), b.consume(), b.consume()], [true, true, false]);
  });
});
