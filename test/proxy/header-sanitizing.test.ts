// Envoy's request sanitizing with use_remote_address: internal peers (internal_address_config,
// else loopback/RFC 1918) get x-envoy-internal; external peers lose the x-envoy-* control headers
// (they cannot steer timeouts or retries), get x-envoy-external-address and a fresh x-request-id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  httpBootstrap,
  request,
  startProxy,
  startUpstream,
  staticCluster,
  type Echo,
  type Running,
} from './helpers.js';

const routes = `virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: backend, timeout: 2s}}]}]`;
const sent = {
  'x-envoy-upstream-rq-timeout-ms': '100',
  'x-envoy-ip-tags': 'trusted',
  'x-envoy-internal': 'true',
  'x-request-id': 'client-chosen',
};

describe('request header sanitizing', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let external: Running;
  let internal: Running;
  before(async () => {
    up = await startUpstream();
    external = await startProxy(
      httpBootstrap(
        routes,
        staticCluster('backend', [up.port]),
        `
use_remote_address: true
internal_address_config: {cidr_ranges: [{address_prefix: 10.0.0.0, prefix_len: 8}]}`,
      ),
    );
    internal = await startProxy(
      httpBootstrap(routes, staticCluster('backend', [up.port]), 'use_remote_address: true'),
    );
  });
  after(async () => {
    await external.stop();
    await internal.stop();
    await up.close();
  });

  it('an external peer cannot set x-envoy-* control headers', async () => {
    const e = JSON.parse((await request(await external.port('http'), '/', { headers: sent })).body) as Echo;
    assert.equal(e.headers['x-envoy-expected-rq-timeout-ms'], '2000');
    assert.equal(e.headers['x-envoy-ip-tags'], undefined);
    assert.equal(e.headers['x-envoy-internal'], undefined);
    assert.equal(e.headers['x-envoy-external-address'], '127.0.0.1');
    assert.notEqual(e.headers['x-request-id'], 'client-chosen');
  });

  it('an internal peer keeps them and is marked internal', async () => {
    const e = JSON.parse((await request(await internal.port('http'), '/', { headers: sent })).body) as Echo;
    assert.equal(e.headers['x-envoy-expected-rq-timeout-ms'], '100');
    assert.equal(e.headers['x-envoy-ip-tags'], 'trusted');
    assert.equal(e.headers['x-envoy-internal'], 'true');
    assert.equal(e.headers['x-envoy-external-address'], undefined);
    assert.equal(e.headers['x-request-id'], 'client-chosen');
  });
});
