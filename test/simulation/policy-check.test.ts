// Mixer policy checks on sidecar inbound (Istio 1.1's mixer plugin as a standard ext_authz filter
// to the control plane's Authorization service): present only where a CHECK rule covers the
// proxy's namespace, honouring disablePolicyChecks, policyCheckFailOpen and policy.istio.io/check.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine } from '../../src/policy/engine.js';
import { AggregateRegistry } from '../../src/registry/aggregate.js';
import { ServiceEntryRegistry } from '../../src/registry/serviceentry.js';
import { buildPushContext } from '../../src/xds/push-context.js';
import type { MeshConfigInput } from '../../src/xds/generators/mesh.js';
import type { ProxyInfo } from '../../src/xds/contracts.js';
import { generateAll, routerProxy, setupMesh, sidecarProxy } from './harness.js';
import { simulate, type Call } from './simulator.js';
import { pods, services, weatherYaml } from './weather-fixture.js';

type Obj = Record<string, unknown>;
const EXT_AUTHZ = 'envoy.filters.http.ext_authz';

const denier = (ns: string) => `
apiVersion: config.istio.io/v1alpha2
kind: denier
metadata: { name: denycustomerhandler, namespace: ${ns} }
spec: { status: { code: 7, message: Not allowed } }
---
apiVersion: config.istio.io/v1alpha2
kind: checknothing
metadata: { name: denycustomerrequests, namespace: ${ns} }
spec: {}
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: denycustomer, namespace: ${ns} }
spec:
  match: destination.labels["app"] == "advertisement"
  actions: [{ handler: denycustomerhandler.denier, instances: [denycustomerrequests.checknothing] }]`;

function generate(proxy: ProxyInfo, yaml: string, mesh: Partial<MeshConfigInput> = {}) {
  const m = setupMesh({ yaml: [weatherYaml(), yaml].join('\n---\n'), services, pods: Object.values(pods) });
  const engine = new PolicyEngine(m.store, { defaultNamespace: 'istio-system', log: () => {} });
  after(() => engine.close());
  const push = buildPushContext({
    store: m.store,
    registry: new AggregateRegistry([m.local, new ServiceEntryRegistry(m.store)]),
    version: 'test',
    mesh,
    policyScope: engine.scope(),
  });
  return generateAll(proxy, push);
}

const inbound: Call = { mode: 'inbound', port: 3003, transport: 'raw_buffer', host: 'ad', path: '/ad' };
const ad = sidecarProxy(pods.adV1, { serviceAccount: 'advertisement' });

/** The inbound HCM's ext_authz config on port 3003 (undefined: none). */
function policyFilter(g: ReturnType<typeof generate>): Obj | undefined {
  const vi = g.listeners.find((l) => l.name === 'virtualInbound')!;
  const chain = (vi.filter_chains as Obj[]).find(
    (c) => c.name === 'inbound|3003||advertisement.weather.svc.cluster.local',
  )!;
  const hcm = ((chain.filters as Obj[])[0] as Obj).typed_config as Obj;
  const f = (hcm.http_filters as Obj[]).find((x) => x.name === EXT_AUTHZ);
  return f?.typed_config as Obj | undefined;
}

describe('32/33: Mixer policy checks on sidecar inbound', () => {
  test('without policy rules nothing changes: no ext_authz anywhere', () => {
    const g = generate(ad, '');
    assert.equal(JSON.stringify(g.listeners).includes(EXT_AUTHZ), false);
  });

  test('a CHECK rule in weather: weather sidecars call the control plane after RBAC, before the router', () => {
    const g = generate(ad, denier('weather'));
    const r = simulate(g, inbound);
    assert.equal(r.cluster, 'inbound|3003||advertisement.weather.svc.cluster.local');
    const names = r.httpFilters!;
    assert.equal(names.filter((n) => n === EXT_AUTHZ).length, 1);
    assert.ok(names.indexOf(EXT_AUTHZ) < names.indexOf('envoy.filters.http.router'));
    assert.deepEqual(policyFilter(g), {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      grpc_service: { envoy_grpc: { cluster_name: 'xds-grpc' }, timeout: { seconds: 2, nanos: 0 } },
      transport_api_version: 'V3',
      failure_mode_allow: false,
      status_on_error: { code: 'ServiceUnavailable' },
    });
    // Outbound (frontend's calls) and gateways are not checked; nor are other namespaces.
    const outbound = g.listeners.filter((l) => l.name !== 'virtualInbound');
    assert.equal(JSON.stringify(outbound).includes(EXT_AUTHZ), false);
    const gw = generate(routerProxy(pods.ingress), denier('weather'));
    assert.equal(JSON.stringify(gw.listeners).includes(EXT_AUTHZ), false);
  });

  test('inbound TCP chains of covered namespaces check each connection with the network ext_authz', () => {
    const echo = sidecarProxy(pods.tcpEchoV1, { serviceAccount: 'tcp-echo' });
    const chainFilters = (yaml: string): string[] => {
      const vi = generate(echo, yaml).listeners.find((l) => l.name === 'virtualInbound')!;
      const chain = (vi.filter_chains as Obj[]).find(
        (c) => c.name === 'inbound|9000||tcp-echo.weather.svc.cluster.local',
      )!;
      return (chain.filters as Obj[]).map((f) => f.name as string);
    };
    const withRule = chainFilters(denier('weather'));
    assert.ok(withRule.includes('envoy.filters.network.ext_authz'), withRule.join());
    assert.ok(
      withRule.indexOf('envoy.filters.network.ext_authz') <
        withRule.indexOf('envoy.filters.network.tcp_proxy'),
    );
    assert.ok(!chainFilters('').includes('envoy.filters.network.ext_authz'));
  });

  test('a rule in istio-system (the default config namespace) covers every namespace', () => {
    const httpbin = {
      mode: 'inbound',
      port: 8000,
      transport: 'raw_buffer',
      host: 'h',
      path: '/get',
    } as const;
    const inDefault = (yaml: string) => simulate(generate(sidecarProxy(pods.httpbinDefault), yaml), httpbin);
    assert.equal(inDefault(denier('istio-system')).httpFilters!.includes(EXT_AUTHZ), true);
    assert.equal(inDefault(denier('weather')).httpFilters!.includes(EXT_AUTHZ), false);
    assert.ok(policyFilter(generate(ad, denier('istio-system'))));
  });

  test('disablePolicyChecks, policyCheckFailOpen and the policy.istio.io/check annotation', () => {
    assert.equal(policyFilter(generate(ad, denier('weather'), { disablePolicyChecks: true })), undefined);
    const annotated = (v: string) =>
      sidecarProxy(pods.adV1, { metadata: { ANNOTATIONS: { 'policy.istio.io/check': v } } });
    assert.equal(policyFilter(generate(annotated('disable'), denier('weather'))), undefined);
    assert.ok(policyFilter(generate(annotated('enable'), denier('weather'), { disablePolicyChecks: true })));
    const open = policyFilter(generate(ad, denier('weather'), { policyCheckFailOpen: true }))!;
    assert.equal(open.failure_mode_allow, true);
    const allow = policyFilter(generate(annotated('allow-on-error'), denier('weather')))!;
    assert.equal(allow.failure_mode_allow, true);
  });
});
