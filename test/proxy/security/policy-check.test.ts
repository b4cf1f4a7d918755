// Mixer policy checks through a real proxy: the ext_authz filter LDS emits for a sidecar inbound,
// calling the control plane's policy service (a real grpc-js server with the policy engine) on
// the `xds-grpc` cluster. A denier answers 403 with Istio 1.1's `<CODE>:<handler>:<message>` body,
// an undecidable check 500 INTERNAL (or OK under policyCheckFailOpen), and an unreachable policy
// service fails closed with 503 unless policyCheckFailOpen.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { parseResources } from '../../../src/config/loader.js';
import { ConfigStore } from '../../../src/config/store.js';
import { PolicyEngine } from '../../../src/policy/engine.js';
import { addPolicyService } from '../../../src/policy/server.js';
import { meshWorkloads } from '../../../src/policy/workloads.js';
import { AggregateRegistry } from '../../../src/registry/aggregate.js';
import type { ProxyInfo } from '../../../src/xds/contracts.js';
import { policyCheckFilters } from '../../../src/xds/generators/listener/policy-check.js';
import { buildPushContext } from '../../../src/xds/push-context.js';
import { H2, request, startProxy, staticCluster, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

const POLICY = `apiVersion: config.istio.io/v1alpha2
kind: denier
metadata: { name: deny, namespace: weather }
spec: { status: { code: 7, message: Not allowed } }
---
apiVersion: config.istio.io/v1alpha2
kind: checknothing
metadata: { name: nothing, namespace: weather }
spec: {}
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: denymallory, namespace: weather }
spec:
  match: source.labels["app"] == "frontend" && request.headers["x-user"] == "mallory"
  actions: [{ handler: deny.denier, instances: [nothing.checknothing] }]
---
apiVersion: config.istio.io/v1alpha2
kind: listchecker
metadata: { name: versions, namespace: weather }
spec: { overrides: [v1] }
---
apiVersion: config.istio.io/v1alpha2
kind: listentry
metadata: { name: version, namespace: weather }
spec: { value: request.useragent }
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: versioned, namespace: weather }
spec:
  match: request.headers["x-user"] == "versioned"
  actions: [{ handler: versions.listchecker, instances: [version.listentry] }]
`;

/** The workload behind 127.0.0.1 here: frontend in weather (both caller and callee). */
const frontend: ProxyInfo = {
  id: 'sidecar~127.0.0.1~frontend-v1-0.weather~weather.svc.cluster.local',
  type: 'sidecar',
  ipAddresses: ['127.0.0.1'],
  podName: 'frontend-v1-0',
  namespace: 'weather',
  dnsDomain: 'weather.svc.cluster.local',
  labels: { app: 'frontend', version: 'v1' },
  metadata: {},
  proxyless: false,
};

describe('Mixer policy check (ext_authz → the control plane policy service)', () => {
  const store = new ConfigStore({ debounceMs: 0, maxDelayMs: 0 });
  const engine = new PolicyEngine(store, { defaultNamespace: 'istio-system', log: () => {} });
  let failOpen = false;
  let server: grpc.Server;
  let policyPort = 0;
  let up: CountingUpstream;
  const proxies: Running[] = [];
  const log = tempLog();

  before(async () => {
    const r = store.apply(parseResources(POLICY, 'policy.yaml').resources, { owner: 'test' });
    assert.ok(r.ok);
    store.flush();
    const push = buildPushContext({
      store,
      registry: new AggregateRegistry([]),
      policyScope: engine.scope(),
    });
    server = new grpc.Server();
    addPolicyService(server, {
      engine,
      workloads: meshWorkloads(
        () => [frontend],
        () => push,
      ),
      failOpen: () => failOpen,
    });
    policyPort = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? rej(e) : res(p),
      ),
    );
    up = await countingUpstream();
  });
  after(async () => {
    for (const p of proxies) await p.stop();
    await up.close();
    server.forceShutdown();
    engine.close();
  });

  /** A proxy whose HCM carries the filter LDS generates for frontend under this mesh config. */
  async function proxy(mesh: { policyCheckFailOpen?: boolean }, port = policyPort): Promise<number> {
    const push = buildPushContext({
      store,
      registry: new AggregateRegistry([]),
      mesh,
      policyScope: engine.scope(),
    });
    const filters = policyCheckFilters(frontend, push).map((f) => `- ${JSON.stringify(f)}\n`);
    assert.equal(filters.length, 1);
    const clusters = staticCluster('backend', [up.port]) + staticCluster('xds-grpc', [port], H2);
    const px = await startProxy(bootstrap({ log, filters: filters.join(''), clusters }));
    proxies.push(px);
    return px.port('http');
  }

  it('a denier answers 403 PERMISSION_DENIED:<handler>:<message> (UAEX); other requests pass', async () => {
    const port = await proxy({});
    const before = up.seen.length;
    const denied = await request(port, '/mallory', { headers: { 'x-user': 'mallory' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body, 'PERMISSION_DENIED:deny.denier.weather:Not allowed');
    assert.equal(up.seen.length, before, 'the denied request never reached the app');
    const ok = await request(port, '/alice', { headers: { 'x-user': 'alice' } });
    assert.equal(ok.status, 200);
    assert.equal(up.seen.at(-1)?.url, '/alice');
    assert.ok((await logLines(log, '/mallory')).some((l) => l.startsWith('/mallory 403 UAEX')));
  });

  it('listchecker: a value not in the list is 403; one that cannot be evaluated is 500 INTERNAL, OK when failing open', async () => {
    const port = await proxy({});
    const v1 = await request(port, '/v', { headers: { 'x-user': 'versioned', 'user-agent': 'v1' } });
    assert.equal(v1.status, 200);
    const v2 = await request(port, '/v', { headers: { 'x-user': 'versioned', 'user-agent': 'v2' } });
    assert.deepEqual(
      [v2.status, v2.body],
      [403, 'PERMISSION_DENIED:versions.listchecker.weather:v2 is not whitelisted'],
    );
    const none = await request(port, '/v', { headers: { 'x-user': 'versioned' } });
    assert.equal(none.status, 500);
    assert.match(
      none.body,
      /^INTERNAL:performing check operation failed: .*lookup failed: 'request\.useragent'/,
    );
    failOpen = true;
    try {
      assert.equal((await request(port, '/v', { headers: { 'x-user': 'versioned' } })).status, 200);
    } finally {
      failOpen = false;
    }
  });

  it('an unreachable policy service fails closed with 503, or open under policyCheckFailOpen', async () => {
    const closed = await proxy({}, 1);
    const before = up.seen.length;
    assert.equal((await request(closed, '/x')).status, 503);
    assert.equal(up.seen.length, before);
    const open = await proxy({ policyCheckFailOpen: true }, 1);
    assert.equal((await request(open, '/y')).status, 200);
    assert.equal(up.seen.at(-1)?.url, '/y');
  });
});
