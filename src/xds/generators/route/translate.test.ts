// Translation tests: every VirtualService http field → the Envoy route a sidecar gets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, setupMesh, sidecarProxy, type PodSpec } from '../../../../test/simulation/harness.js';
import { simulate, type Call } from '../../../../test/simulation/simulator.js';
import { pods, services, VIPS } from '../../../../test/simulation/weather-fixture.js';

type Obj = Record<string, unknown>;
const AD = 'advertisement.weather.svc.cluster.local';
const FORECAST = 'forecast.weather.svc.cluster.local';

function gen(http: string, from: PodSpec = pods.frontendV1, extra = '') {
  const yaml = `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: ad, namespace: weather }
spec:
  hosts: [advertisement]
  http:
${http}
${extra}`;
  return generateAll(sidecarProxy(from), setupMesh({ yaml, services, pods: Object.values(pods) }).push);
}

const ad = (over: Partial<Call> = {}): Call => ({
  address: VIPS.advertisement,
  port: 3003,
  host: 'advertisement:3003',
  path: '/ad',
  ...over,
});

/** The advertisement virtual host's routes on port 3003. */
function adRoutes(g: ReturnType<typeof gen>): Obj[] {
  const rc = g.routes.find((r) => r.name === '3003')!;
  return ((rc.virtual_hosts as Obj[]).find((v) => v.name === `${AD}:3003`)!.routes as Obj[]) ?? [];
}

describe('match', () => {
  test('uri exact, prefix and regex; ignoreUriCase', () => {
    const g = gen(`  - match:
    - uri: { exact: /ad }
      ignoreUriCase: true
    - uri: { prefix: /api/ }
    - uri: { regex: '/v[0-9]+/ad' }
    route:
    - destination: { host: advertisement, subset: v2 }`);
    const [exact, prefix, regex] = adRoutes(g).map((r) => r.match as Obj);
    assert.deepEqual(exact, { path: '/ad', case_sensitive: { value: false } });
    assert.deepEqual(prefix, { prefix: '/api/' });
    assert.deepEqual(regex, { safe_regex: { regex: '/v[0-9]+/ad' } });
    assert.equal(simulate(g, ad({ path: '/AD' })).cluster, `outbound|3003|v2|${AD}`);
    assert.equal(simulate(g, ad({ path: '/v12/ad' })).cluster, `outbound|3003|v2|${AD}`);
    assert.equal(simulate(g, ad({ path: '/other' })).error, 'no route');
  });

  test('scheme, method, authority, headers, withoutHeaders and queryParams', () => {
    const g = gen(`  - match:
    - scheme: { exact: http }
      method: { exact: POST }
      authority: { prefix: advertisement }
      headers:
        x-env: { exact: canary }
        x-present: {}
      withoutHeaders:
        x-skip: { exact: 'yes' }
      queryParams:
        debug: { exact: '' }
        user: { regex: 'a.*' }
    route:
    - destination: { host: advertisement, subset: v2 }
  - route:
    - destination: { host: advertisement, subset: v1 }`);
    const m = adRoutes(g)[0]!.match as Obj;
    assert.deepEqual(m.headers, [
      { name: ':scheme', string_match: { exact: 'http' } },
      { name: ':method', string_match: { exact: 'POST' } },
      { name: ':authority', string_match: { prefix: 'advertisement' } },
      { name: 'x-env', string_match: { exact: 'canary' } },
      { name: 'x-present', present_match: true },
      { name: 'x-skip', string_match: { exact: 'yes' }, invert_match: true },
    ]);
    assert.deepEqual(m.query_parameters, [
      { name: 'debug', present_match: true },
      { name: 'user', string_match: { safe_regex: { regex: 'a.*' } } },
    ]);
    const hit = ad({
      method: 'POST',
      path: '/ad?debug&user=alice',
      headers: { 'x-env': 'canary', 'x-present': '1' },
    });
    assert.equal(simulate(g, hit).cluster, `outbound|3003|v2|${AD}`);
    assert.equal(
      simulate(g, { ...hit, headers: { ...hit.headers, 'x-skip': 'yes' } }).cluster,
      `outbound|3003|v1|${AD}`,
    );
    assert.equal(simulate(g, { ...hit, method: 'GET' }).cluster, `outbound|3003|v1|${AD}`);
  });

  test('port, sourceLabels, sourceNamespace and gateways select which proxies get a route', () => {
    const http = `  - match:
    - port: 3003
      sourceLabels: { app: frontend, version: v2 }
    route:
    - destination: { host: advertisement, subset: v2 }
  - match:
    - sourceNamespace: default
    route:
    - destination: { host: advertisement, subset: v3 }
  - match:
    - gateways: [istio-system/weather-gateway]
    route:
    - destination: { host: advertisement, subset: v3 }
  - route:
    - destination: { host: advertisement, subset: v1 }`;
    assert.equal(simulate(gen(http, pods.frontendV2), ad()).cluster, `outbound|3003|v2|${AD}`);
    assert.equal(simulate(gen(http, pods.frontendV1), ad()).cluster, `outbound|3003|v1|${AD}`);
    assert.equal(
      simulate(gen(http, pods.sleep), ad({ host: 'advertisement.weather:3003' })).cluster,
      `outbound|3003|v3|${AD}`,
    );
    assert.equal(
      adRoutes(gen(http, pods.frontendV1)).length,
      1,
      'gateway-only and other-source routes are left out',
    );
  });
});

describe('actions', () => {
  test('redirect with code, scheme, port and derivePort', () => {
    const g = gen(`  - match: [{ uri: { prefix: /a } }]
    redirect: { uri: /b, redirectCode: 302, scheme: https, port: 8443 }
  - match: [{ uri: { prefix: /c } }]
    redirect: { authority: ads.example, scheme: https, derivePort: FROM_PROTOCOL_DEFAULT }`);
    const [a, c] = adRoutes(g);
    assert.deepEqual(a!.redirect, {
      path_redirect: '/b',
      scheme_redirect: 'https',
      port_redirect: 8443,
      response_code: 'FOUND',
    });
    assert.deepEqual(c!.redirect, {
      host_redirect: 'ads.example',
      scheme_redirect: 'https',
      port_redirect: 443,
      response_code: 'MOVED_PERMANENTLY',
    });
  });

  test('rewrite authority and uriRegexRewrite', () => {
    const g =
      gen(`  - rewrite: { authority: ads.internal, uriRegexRewrite: { match: '^/old/(.*)$', rewrite: '/new/\\1' } }
    route:
    - destination: { host: advertisement }`);
    const r = adRoutes(g)[0]!.route as Obj;
    assert.equal(r.host_rewrite_literal, 'ads.internal');
    assert.deepEqual(r.regex_rewrite, { pattern: { regex: '^/old/(.*)$' }, substitution: '/new/\\1' });
  });

  test('directResponse', () => {
    const g = gen(`  - directResponse: { status: 503, body: { string: unavailable } }`);
    assert.deepEqual(adRoutes(g)[0]!.direct_response, {
      status: 503,
      body: { inline_string: 'unavailable' },
    });
  });

  test('retries: Istio default policy, status codes in retryOn, retryRemoteLocalities', () => {
    const def = adRoutes(gen(`  - route:\n    - destination: { host: advertisement }`))[0]!.route as Obj;
    const dp = def.retry_policy as Obj;
    assert.equal(dp.retry_on, 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes');
    assert.deepEqual(dp.num_retries, { value: 2 });
    assert.deepEqual(dp.retriable_status_codes, [503]);
    const custom = adRoutes(
      gen(
        `  - route:\n    - destination: { host: advertisement }\n    retries: { attempts: 4, retryOn: 'gateway-error,connect-failure,429', retryRemoteLocalities: true }`,
      ),
    )[0]!.route as Obj;
    const cp = custom.retry_policy as Obj;
    assert.equal(cp.retry_on, 'gateway-error,connect-failure,retriable-status-codes');
    assert.deepEqual(cp.retriable_status_codes, [429]);
    assert.equal((cp.retry_priority as Obj).name, 'envoy.retry_priorities.previous_priorities');
  });

  test('mirrors with percentages', () => {
    const [one, many] = adRoutes(
      gen(`  - match: [{ uri: { prefix: /one } }]
    route:
    - destination: { host: advertisement, subset: v1 }
    mirror: { host: advertisement, subset: v2 }
    mirrorPercentage: { value: 25.5 }
  - route:
    - destination: { host: advertisement, subset: v1 }
    mirrors:
    - destination: { host: advertisement, subset: v2 }
    - destination: { host: forecast }
      percentage: { value: 10 }`),
    ).map((r) => r.route as Obj);
    assert.deepEqual(one!.request_mirror_policies, [
      {
        cluster: `outbound|3003|v2|${AD}`,
        runtime_fraction: { default_value: { numerator: 255000, denominator: 'MILLION' } },
      },
    ]);
    assert.deepEqual(many!.request_mirror_policies, [
      {
        cluster: `outbound|3003|v2|${AD}`,
        runtime_fraction: { default_value: { numerator: 1000000, denominator: 'MILLION' } },
      },
      {
        cluster: `outbound|3002||${FORECAST}`,
        runtime_fraction: { default_value: { numerator: 100000, denominator: 'MILLION' } },
      },
    ]);
  });

  test('corsPolicy becomes a per-route cors policy', () => {
    const route = adRoutes(
      gen(`  - corsPolicy:
      allowOrigins: [{ exact: 'https://weather.example' }, { regex: 'https://.*\\.example' }]
      allowMethods: [GET, POST]
      allowHeaders: [x-user]
      exposeHeaders: [x-version]
      maxAge: 24h
      allowCredentials: true
    route:
    - destination: { host: advertisement }`),
    )[0]!;
    const cors = (route.typed_per_filter_config as Record<string, Obj>)['envoy.filters.http.cors']!;
    assert.deepEqual(cors.allow_origin_string_match, [
      { exact: 'https://weather.example' },
      { safe_regex: { regex: 'https://.*\\.example' } },
    ]);
    assert.equal(cors.allow_methods, 'GET,POST');
    assert.equal(cors.allow_headers, 'x-user');
    assert.equal(cors.expose_headers, 'x-version');
    assert.equal(cors.max_age, '86400');
    assert.deepEqual(cors.allow_credentials, { value: true });
  });

  test('headers: request/response set, add, remove at route and destination level', () => {
    const routes = adRoutes(
      gen(`  - headers:
      request: { set: { x-a: '1' }, add: { x-b: '2' }, remove: [x-c] }
      response: { set: { x-d: '4' }, remove: [x-e] }
    route:
    - destination: { host: advertisement, subset: v1 }
      weight: 90
      headers: { response: { add: { x-version: v1 } } }
    - destination: { host: advertisement, subset: v2 }
      weight: 10`),
    );
    const r = routes[0]!;
    assert.deepEqual(r.request_headers_to_add, [
      { header: { key: 'x-a', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-b', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    assert.deepEqual(r.request_headers_to_remove, ['x-c']);
    assert.deepEqual(r.response_headers_to_remove, ['x-e']);
    const [v1] = ((r.route as Obj).weighted_clusters as Obj).clusters as Obj[];
    assert.deepEqual(v1!.response_headers_to_add, [
      { header: { key: 'x-version', value: 'v1' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
  });

  test('fault: grpc abort and a delay on part of the traffic', () => {
    const route = adRoutes(
      gen(`  - fault:
      delay: { fixedDelay: 500ms, percentage: { value: 12.5 } }
      abort: { grpcStatus: UNAVAILABLE, percentage: { value: 1 } }
    route:
    - destination: { host: advertisement }`),
    )[0]!;
    const fault = (route.typed_per_filter_config as Record<string, Obj>)['envoy.filters.http.fault']!;
    assert.deepEqual(fault.delay, {
      fixed_delay: { seconds: 0, nanos: 500000000 },
      percentage: { numerator: 125000, denominator: 'MILLION' },
    });
    assert.deepEqual(fault.abort, {
      grpc_status: 14,
      percentage: { numerator: 10000, denominator: 'MILLION' },
    });
  });

  test('delegate: the child routes inherit the parent match', () => {
    const g = gen(
      `  - match: [{ uri: { prefix: /ads } }]
    delegate: { name: ad-child, namespace: weather }`,
      pods.frontendV1,
      `---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: ad-child, namespace: weather }
spec:
  http:
  - match: [{ uri: { prefix: /ads/v2 }, headers: { x-canary: { exact: '1' } } }]
    route:
    - destination: { host: advertisement, subset: v2 }
  - route:
    - destination: { host: advertisement, subset: v1 }`,
    );
    assert.equal(
      simulate(g, ad({ path: '/ads/v2/x', headers: { 'x-canary': '1' } })).cluster,
      `outbound|3003|v2|${AD}`,
    );
    assert.equal(simulate(g, ad({ path: '/ads/list' })).cluster, `outbound|3003|v1|${AD}`);
    assert.equal(simulate(g, ad({ path: '/other' })).error, 'no route');
  });
});
