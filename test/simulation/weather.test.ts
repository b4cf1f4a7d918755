// Simulation of the weather sample's traffic-management scenarios (scenarios.md 2–8, 14–19, 23–25):
// Istio YAML in, a request through the generated config, and the route and cluster it reaches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, routerProxy, setupMesh, sidecarProxy, type PodSpec } from './harness.js';
import { simulate, type Call } from './simulator.js';
import { pods, services, VIPS, weatherYaml } from './weather-fixture.js';
import type { MeshConfigInput } from '../../src/xds/generators/mesh.js';

const FORECAST = 'forecast.weather.svc.cluster.local';
const FRONTEND = 'frontend.weather.svc.cluster.local';
const AD = 'advertisement.weather.svc.cluster.local';
const c = (port: number, subset: string, host: string): string => `outbound|${port}|${subset}|${host}`;

function mesh(yaml: string, opts: { skip?: string[]; mesh?: Partial<MeshConfigInput> } = {}) {
  return setupMesh({
    yaml: [weatherYaml(opts.skip), yaml].join('\n---\n'),
    services,
    pods: Object.values(pods),
    ...(opts.mesh ? { mesh: opts.mesh } : {}),
  });
}

function call(
  yaml: string,
  from: PodSpec,
  req: Call,
  opts: { skip?: string[]; mesh?: Partial<MeshConfigInput> } = {},
) {
  const m = mesh(yaml, opts);
  const proxy = from === pods.ingress ? routerProxy(from) : sidecarProxy(from);
  return simulate(generateAll(proxy, m.push), req);
}

const toForecast = (headers: Record<string, string> = {}): Call => ({
  address: VIPS.forecast,
  port: 3002,
  host: 'forecast:3002',
  path: '/weather?locate=Berlin',
  headers,
});

const forecastRoute = (http: string): string => `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: forecast-route, namespace: weather }
spec:
  hosts: [forecast]
  http:
${http}`;

describe('canary releases', () => {
  test('2: forecast-route 100% v1 sends every query to forecast v1', () => {
    const r = call(
      forecastRoute(`  - route:\n    - destination: { host: forecast, subset: v1 }\n      weight: 100`),
      pods.frontendV1,
      toForecast(),
    );
    assert.equal(r.listener, '0.0.0.0_3002');
    assert.equal(r.routeConfig, '3002');
    assert.equal(r.virtualHost, `${FORECAST}:3002`);
    assert.equal(r.cluster, c(3002, 'v1', FORECAST));
  });

  test('3: a 50/50 split becomes weighted clusters', () => {
    const r = call(
      forecastRoute(`  - route:
    - destination: { host: forecast, subset: v1 }
      weight: 50
    - destination: { host: forecast, subset: v2 }
      weight: 50`),
      pods.frontendV1,
      toForecast(),
    );
    assert.deepEqual(r.weightedClusters, [
      { name: c(3002, 'v1', FORECAST), weight: 50 },
      { name: c(3002, 'v2', FORECAST), weight: 50 },
    ]);
  });

  test('4: v1 0 / v2 100 routes straight to v2', () => {
    const r = call(
      forecastRoute(`  - route:
    - destination: { host: forecast, subset: v1 }
      weight: 0
    - destination: { host: forecast, subset: v2 }
      weight: 100`),
      pods.frontendV1,
      toForecast(),
    );
    assert.equal(r.cluster, c(3002, 'v2', FORECAST));
  });

  test('5: a User-Agent regex sends Chrome to v2 and Firefox to v1', () => {
    const yaml = forecastRoute(`  - match:
    - headers:
        user-agent: { regex: '.*(Chrome/([\\d.]+)).*' }
    route:
    - destination: { host: forecast, subset: v2 }
  - route:
    - destination: { host: forecast, subset: v1 }`);
    const chrome = call(
      yaml,
      pods.frontendV1,
      toForecast({ 'User-Agent': 'Mozilla/5.0 Chrome/91.0.4472.124 Safari/537.36' }),
    );
    const firefox = call(yaml, pods.frontendV1, toForecast({ 'User-Agent': 'Mozilla/5.0 Firefox/89.0' }));
    assert.equal(chrome.cluster, c(3002, 'v2', FORECAST));
    assert.equal(firefox.cluster, c(3002, 'v1', FORECAST));
  });

  test('6: at the gateway, Android gets a 50/50 frontend split and Windows v1', () => {
    const yaml = `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - match:
    - headers:
        user-agent: { regex: '.*((Android)).*' }
    route:
    - destination: { host: frontend, subset: v1 }
      weight: 50
    - destination: { host: frontend, subset: v2 }
      weight: 50
  - route:
    - destination: { host: frontend, subset: v1 }`;
    const req = (ua: string): Call => ({
      mode: 'gateway',
      port: 8080,
      host: '127.0.0.1:8080',
      path: '/',
      headers: { 'user-agent': ua },
    });
    const android = call(yaml, pods.ingress, req('Mozilla/5.0 (Linux; Android 11)'), {
      skip: ['frontend-route'],
    });
    const windows = call(yaml, pods.ingress, req('Mozilla/5.0 (Windows NT 10.0)'), {
      skip: ['frontend-route'],
    });
    assert.equal(android.routeConfig, 'http.8080');
    assert.deepEqual(
      android.weightedClusters?.map((w) => w.name),
      [c(3000, 'v1', FRONTEND), c(3000, 'v2', FRONTEND)],
    );
    assert.equal(windows.cluster, c(3000, 'v1', FRONTEND));
  });

  test('7: cookie user=tester gets frontend v2 at the gateway, and frontend v2 calls forecast v2 by sourceLabels', () => {
    const yaml = `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - match:
    - headers:
        cookie: { regex: '^(.*?;)?(user=tester)(;.*)?$' }
    route:
    - destination: { host: frontend, subset: v2 }
  - route:
    - destination: { host: frontend, subset: v1 }
---
${forecastRoute(`  - match:
    - sourceLabels: { version: v2 }
    route:
    - destination: { host: forecast, subset: v2 }
  - route:
    - destination: { host: forecast, subset: v1 }`)}`;
    const gw = (cookie?: string): Call => ({
      mode: 'gateway',
      port: 8080,
      host: 'localhost',
      path: '/',
      headers: cookie ? { cookie } : {},
    });
    assert.equal(
      call(yaml, pods.ingress, gw('user=tester'), { skip: ['frontend-route'] }).cluster,
      c(3000, 'v2', FRONTEND),
    );
    assert.equal(
      call(yaml, pods.ingress, gw('user=testers'), { skip: ['frontend-route'] }).cluster,
      c(3000, 'v1', FRONTEND),
    );
    assert.equal(
      call(yaml, pods.ingress, gw(), { skip: ['frontend-route'] }).cluster,
      c(3000, 'v1', FRONTEND),
    );
    assert.equal(
      call(yaml, pods.frontendV2, toForecast(), { skip: ['frontend-route'] }).cluster,
      c(3002, 'v2', FORECAST),
    );
    assert.equal(
      call(yaml, pods.frontendV1, toForecast(), { skip: ['frontend-route'] }).cluster,
      c(3002, 'v1', FORECAST),
    );
  });

  test('8: a TCP gateway port forwards to tcp-echo v1, then splits 80/20', () => {
    const gateway = (route: string): string => `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: tcp-gateway, namespace: weather }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 31400, name: tcp, protocol: TCP }
    hosts: ['*']
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: tcp-echo, namespace: weather }
spec:
  hosts: ['*']
  gateways: [tcp-gateway]
  tcp:
  - match:
    - port: 31400
    route:
${route}`;
    const echo = 'tcp-echo.weather.svc.cluster.local';
    const one = call(
      gateway(`    - destination: { host: tcp-echo, port: { number: 9000 }, subset: v1 }`),
      pods.ingress,
      { mode: 'gateway', port: 31400 },
    );
    assert.equal(one.listener, '0.0.0.0_31400');
    assert.equal(one.cluster, c(9000, 'v1', echo));
    const split = call(
      gateway(`    - destination: { host: tcp-echo, port: { number: 9000 }, subset: v1 }
      weight: 80
    - destination: { host: tcp-echo, port: { number: 9000 }, subset: v2 }
      weight: 20`),
      pods.ingress,
      { mode: 'gateway', port: 31400 },
    );
    assert.deepEqual(split.weightedClusters, [
      { name: c(9000, 'v1', echo), weight: 80 },
      { name: c(9000, 'v2', echo), weight: 20 },
    ]);
  });
});

const adRoute = (http: string): string => `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: advertisement-route, namespace: weather }
spec:
  hosts: [advertisement]
  http:
${http}`;

const toAd = (path = '/ad'): Call => ({
  address: VIPS.advertisement,
  port: 3003,
  host: 'advertisement:3003',
  path,
});

describe('traffic management', () => {
  test('14: a fixed delay of 3s on every request', () => {
    const r = call(
      adRoute(
        `  - fault:\n      delay: { fixedDelay: 3s, percentage: { value: 100 } }\n    route:\n    - destination: { host: advertisement }`,
      ),
      pods.frontendV1,
      toAd(),
    );
    const fault = (r.routeObject?.typed_per_filter_config as Record<string, Record<string, unknown>>)[
      'envoy.filters.http.fault'
    ];
    assert.deepEqual(fault?.delay, {
      fixed_delay: { seconds: 3, nanos: 0 },
      percentage: { numerator: 1000000, denominator: 'MILLION' },
    });
    assert.equal(r.cluster, c(3003, '', AD));
  });

  test('15: an abort answers 500 to every request', () => {
    const r = call(
      adRoute(
        `  - fault:\n      abort: { httpStatus: 500, percentage: { value: 100 } }\n    route:\n    - destination: { host: advertisement }`,
      ),
      pods.frontendV1,
      toAd(),
    );
    const fault = (r.routeObject?.typed_per_filter_config as Record<string, Record<string, unknown>>)[
      'envoy.filters.http.fault'
    ];
    assert.deepEqual(fault?.abort, {
      http_status: 500,
      percentage: { numerator: 1000000, denominator: 'MILLION' },
    });
  });

  test('16: a 1s timeout on the forecast route', () => {
    const r = call(
      forecastRoute(`  - route:\n    - destination: { host: forecast, subset: v2 }\n    timeout: 1s`),
      pods.frontendV1,
      toForecast(),
    );
    assert.deepEqual((r.routeObject?.route as Record<string, unknown>).timeout, { seconds: 1, nanos: 0 });
  });

  test('17: no retries vs. 3 attempts on 5xx with a 1s per-try timeout', () => {
    const none = call(
      forecastRoute(
        `  - route:\n    - destination: { host: forecast, subset: v2 }\n    retries: { attempts: 0 }`,
      ),
      pods.frontendV1,
      toForecast(),
    );
    assert.equal((none.routeObject?.route as Record<string, unknown>).retry_policy, undefined);
    const three = call(
      forecastRoute(
        `  - route:\n    - destination: { host: forecast, subset: v2 }\n    retries: { attempts: 3, perTryTimeout: 1s, retryOn: 5xx }`,
      ),
      pods.frontendV1,
      toForecast(),
    );
    const policy = (three.routeObject?.route as Record<string, Record<string, unknown>>).retry_policy!;
    assert.equal(policy.retry_on, '5xx');
    assert.deepEqual(policy.num_retries, { value: 3 });
    assert.deepEqual(policy.per_try_timeout, { seconds: 1, nanos: 0 });
  });

  test('18: a uri prefix match redirects with 301 to a new authority and path', () => {
    const r = call(
      adRoute(
        `  - match:\n    - uri: { prefix: /ad }\n    redirect: { uri: /maintenanced, authority: advertisement.weather.svc.cluster.local }`,
      ),
      pods.frontendV1,
      toAd(),
    );
    assert.deepEqual(r.redirect, {
      path_redirect: '/maintenanced',
      host_redirect: AD,
      response_code: 'MOVED_PERMANENTLY',
    });
    assert.equal(r.cluster, undefined);
  });

  test('19: only /demo/ is routed (rewritten to /); /ad finds no route', () => {
    const yaml = adRoute(
      `  - match:\n    - uri: { prefix: /demo/ }\n    rewrite: { uri: / }\n    route:\n    - destination: { host: advertisement }`,
    );
    const demo = call(yaml, pods.frontendV1, toAd('/demo/ad'));
    assert.equal((demo.routeObject?.route as Record<string, unknown>).prefix_rewrite, '/');
    assert.equal(demo.cluster, c(3003, '', AD));
    assert.equal(call(yaml, pods.frontendV1, toAd('/ad')).error, 'no route');
  });

  test('24: mirroring to v2 while v1 serves', () => {
    const r = call(
      forecastRoute(
        `  - route:\n    - destination: { host: forecast, subset: v1 }\n      weight: 100\n    mirror: { host: forecast, subset: v2 }`,
      ),
      pods.frontendV1,
      toForecast(),
    );
    assert.equal(r.cluster, c(3002, 'v1', FORECAST));
    assert.deepEqual((r.routeObject?.route as Record<string, unknown>).request_mirror_policies, [
      {
        cluster: c(3002, 'v2', FORECAST),
        runtime_fraction: { default_value: { numerator: 1000000, denominator: 'MILLION' } },
      },
    ]);
  });
});

describe('sidecar scoping and outbound traffic policy', () => {
  const sleepSidecar = `
apiVersion: networking.istio.io/v1alpha3
kind: Sidecar
metadata: { name: sleep, namespace: default }
spec:
  workloadSelector: { labels: { app: sleep } }
  egress:
  - hosts: [default/*, istio-system/*]`;

  test('23: without a Sidecar, sleep reaches httpbin in both namespaces', () => {
    const m = mesh('');
    const gen = generateAll(sidecarProxy(pods.sleep), m.push);
    const names = gen.clusters.map((x) => x.name);
    assert.ok(names.includes(c(8000, '', 'httpbin.weather.svc.cluster.local')));
    assert.ok(names.includes(c(8000, '', 'httpbin.default.svc.cluster.local')));
    assert.equal(
      simulate(gen, { address: VIPS.httpbinWeather, port: 8000, host: 'httpbin.weather:8000', path: '/get' })
        .cluster,
      c(8000, '', 'httpbin.weather.svc.cluster.local'),
    );
    assert.equal(
      simulate(gen, { address: VIPS.httpbinDefault, port: 8000, host: 'httpbin:8000', path: '/get' }).cluster,
      c(8000, '', 'httpbin.default.svc.cluster.local'),
    );
  });

  test('23: a Sidecar with egress default/* hides httpbin.weather', () => {
    const httpbinRoute = `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: httpbin, namespace: weather }
spec:
  hosts: [httpbin.weather.svc.cluster.local]
  http: [{ route: [{ destination: { host: httpbin.weather.svc.cluster.local } }] }]`;
    const m = mesh([sleepSidecar, httpbinRoute].join('\n---\n'));
    const gen = generateAll(sidecarProxy(pods.sleep), m.push);
    assert.ok(!gen.clusters.some((x) => String(x.name).endsWith('httpbin.weather.svc.cluster.local')));
    const weather = simulate(gen, {
      address: VIPS.httpbinWeather,
      port: 8000,
      host: 'httpbin.weather:8000',
      path: '/get',
    });
    assert.notEqual(weather.cluster, c(8000, '', 'httpbin.weather.svc.cluster.local'));
    assert.equal(
      weather.virtualHost,
      'allow_any',
      'neither the service nor its VirtualService makes a virtual host',
    );
    assert.equal(
      simulate(gen, { address: VIPS.httpbinDefault, port: 8000, host: 'httpbin:8000', path: '/get' }).cluster,
      c(8000, '', 'httpbin.default.svc.cluster.local'),
    );
    // Other workloads in the namespace keep the mesh-wide view.
    const other = generateAll(
      sidecarProxy({ ...pods.sleep, name: 'other', ip: '10.244.1.71', labels: { app: 'other' } }),
      m.push,
    );
    assert.ok(other.clusters.some((x) => x.name === c(8000, '', 'httpbin.weather.svc.cluster.local')));
  });

  test('25: ALLOW_ANY passes unknown hosts through; REGISTRY_ONLY blocks them until a ServiceEntry registers one', () => {
    const unknown: Call = { address: '10.10.0.9', port: 80, host: 'external.example:80', path: '/' };
    const allow = generateAll(sidecarProxy(pods.frontendV1), mesh('').push);
    assert.equal(simulate(allow, unknown).cluster, 'PassthroughCluster');
    assert.equal(
      simulate(allow, { address: '10.10.0.9', port: 7777, protocol: 'tcp' }).cluster,
      'PassthroughCluster',
    );

    const registryOnly = { mesh: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' as const } } };
    const blocked = generateAll(sidecarProxy(pods.frontendV1), mesh('', registryOnly).push);
    assert.deepEqual(simulate(blocked, unknown).directResponse, { status: 502 });
    assert.equal(
      simulate(blocked, { address: '10.10.0.9', port: 7777, protocol: 'tcp' }).cluster,
      'BlackHoleCluster',
    );

    const entry = `
apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: { name: external, namespace: weather }
spec:
  hosts: [external.example]
  ports: [{ number: 80, name: http, protocol: HTTP }]
  location: MESH_EXTERNAL
  resolution: DNS`;
    const registered = generateAll(sidecarProxy(pods.frontendV1), mesh(entry, registryOnly).push);
    const r = simulate(registered, unknown);
    assert.equal(r.cluster, c(80, '', 'external.example'));
    const cluster = registered.clusters.find((x) => x.name === c(80, '', 'external.example'))!;
    assert.equal(cluster.type, 'STRICT_DNS');
  });
});
