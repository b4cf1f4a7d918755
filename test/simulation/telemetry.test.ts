// Istio's telemetry filters in what the control plane generates, and as the proxy reads them:
// istio.metadata_exchange first and istio.stats before the router in every sidecar and gateway
// HCM, istio.stats before tcp_proxy, configured per listener class as Istio does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  httpFilterByTypeUrl,
  networkFilterByTypeUrl,
  unwrapTypedStruct,
} from '../../src/proxy/filters/registry.js';
import { generateAll, routerProxy, setupMesh, sidecarProxy } from './harness.js';
import { pods, services, VIPS, weatherYaml } from './weather-fixture.js';

type Obj = Record<string, unknown>;
const AD = 'advertisement.weather.svc.cluster.local';

const mesh = (): ReturnType<typeof setupMesh> =>
  setupMesh({ yaml: weatherYaml(), services, pods: Object.values(pods) });

function chainFilters(listeners: Obj[], listener: string, chain?: string): Obj[] {
  const l = listeners.find((x) => x.name === listener)!;
  const chains = l.filter_chains as Obj[];
  return (chain ? chains.find((c) => c.name === chain)! : chains[0]!).filters as Obj[];
}

function httpFilters(filters: Obj[]): Obj[] {
  return ((
    filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager')!.typed_config as Obj
  ).http_filters ?? []) as Obj[];
}

/** A generated filter as the proxy parses it (TypedStruct unwrapped by its inner type_url). */
function parsedHttp(f: Obj): unknown {
  const any = unwrapTypedStruct(f.typed_config as Obj);
  const factory = httpFilterByTypeUrl(any['@type'] as string)!;
  assert.ok(factory, `the proxy has no filter for ${String(any['@type'])}`);
  const { '@type': _t, ...cfg } = any;
  return factory.parse(cfg, 'typed_config');
}

test('sidecar inbound: the exchange discovers and answers the downstream; stats name the service by cluster', () => {
  const g = generateAll(sidecarProxy(pods.adV1), mesh().push);
  const hf = httpFilters(chainFilters(g.listeners as Obj[], 'virtualInbound', `inbound|3003||${AD}`));
  assert.equal(hf[0]!.name, 'istio.metadata_exchange');
  assert.deepEqual(
    hf.slice(-2).map((f) => f.name),
    ['istio.stats', 'envoy.filters.http.router'],
  );
  assert.equal((hf[0]!.typed_config as Obj)['@type'], 'type.googleapis.com/udpa.type.v1.TypedStruct');
  assert.deepEqual(parsedHttp(hf[0]!), {
    downstreamDiscovery: true,
    upstreamDiscovery: false,
    downstreamPropagation: true,
    upstreamPropagation: false,
  });
  assert.deepEqual(parsedHttp(hf[hf.length - 2]!), {
    disableHostHeaderFallback: true,
    reporter: 'UNSPECIFIED',
    tcpReportingMs: 5000,
  });
});

test('sidecar outbound: the exchange sends ours upstream and learns the upstream; stats may use Host', () => {
  const g = generateAll(sidecarProxy(pods.frontendV1), mesh().push);
  const hf = httpFilters(chainFilters(g.listeners as Obj[], '0.0.0.0_3003'));
  assert.deepEqual(parsedHttp(hf[0]!), {
    downstreamDiscovery: false,
    upstreamDiscovery: true,
    downstreamPropagation: false,
    upstreamPropagation: true,
  });
  assert.equal(
    (parsedHttp(hf[hf.length - 2]!) as { disableHostHeaderFallback: boolean }).disableHostHeaderFallback,
    false,
  );
  // TCP: istio.stats then tcp_proxy, parsed by the proxy's network stats filter.
  const tcp = chainFilters(g.listeners as Obj[], `${VIPS.tcpEcho}_9000`);
  assert.deepEqual(
    tcp.map((f) => f.name),
    ['istio.stats', 'envoy.filters.network.tcp_proxy'],
  );
  const any = unwrapTypedStruct(tcp[0]!.typed_config as Obj);
  assert.equal(networkFilterByTypeUrl(any['@type'] as string)?.kind, 'read');
  // The passthrough chains count too.
  assert.deepEqual(
    chainFilters(g.listeners as Obj[], 'virtualOutbound').map((f) => f.name),
    ['istio.stats', 'envoy.filters.network.tcp_proxy'],
  );
});

test('gateway: outbound-style exchange, stats without Host fallback (reporter source: its listeners are OUTBOUND)', () => {
  const g = generateAll(routerProxy(pods.ingress), mesh().push);
  const l = (g.listeners as Obj[]).find((x) => x.name === '0.0.0.0_8080')!;
  assert.equal(l.traffic_direction, 'OUTBOUND');
  const hf = httpFilters(chainFilters(g.listeners as Obj[], '0.0.0.0_8080'));
  assert.equal((parsedHttp(hf[0]!) as { upstreamPropagation: boolean }).upstreamPropagation, true);
  assert.equal(
    (parsedHttp(hf[hf.length - 2]!) as { disableHostHeaderFallback: boolean }).disableHostHeaderFallback,
    true,
  );
});
