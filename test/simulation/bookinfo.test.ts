// Simulation of Istio's own bookinfo networking samples (../shared/testdata/istio-bookinfo-networking):
// every file translates into valid xDS, and requests land where Istio's docs say they do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateAll,
  routerProxy,
  setupMesh,
  sidecarProxy,
  type PodSpec,
  type ServiceSpec,
} from './harness.js';
import { simulate, type Call } from './simulator.js';

type Obj = Record<string, unknown>;
const DIR = join(import.meta.dirname, '../../../shared/testdata/istio-bookinfo-networking');
const file = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const host = (svc: string): string => `${svc}.default.svc.cluster.local`;

const names = ['productpage', 'reviews', 'ratings', 'details'];
const vip = (i: number): string => `10.96.5.${i + 1}`;
const services: ServiceSpec[] = names.map((name, i) => ({
  name,
  namespace: 'default',
  vip: vip(i),
  ports: [{ name: 'http', port: 9080 }],
  selector: { app: name },
}));
services.push({
  name: 'istio-ingressgateway',
  namespace: 'istio-system',
  vip: '10.96.0.100',
  ports: [{ name: 'http2', port: 80, targetPort: 8080 }],
  selector: { istio: 'ingressgateway' },
});
const pods: PodSpec[] = [
  {
    name: 'productpage-v1',
    namespace: 'default',
    ip: '10.244.5.1',
    labels: { app: 'productpage', version: 'v1' },
  },
  ...['v1', 'v2', 'v3'].map((v, i) => ({
    name: `reviews-${v}`,
    namespace: 'default',
    ip: `10.244.5.${10 + i}`,
    labels: { app: 'reviews', version: v },
  })),
  ...['v1', 'v2'].map((v, i) => ({
    name: `ratings-${v}`,
    namespace: 'default',
    ip: `10.244.5.${20 + i}`,
    labels: { app: 'ratings', version: v },
  })),
  { name: 'details-v1', namespace: 'default', ip: '10.244.5.30', labels: { app: 'details', version: 'v1' } },
  {
    name: 'istio-ingressgateway-0',
    namespace: 'istio-system',
    ip: '10.244.2.2',
    labels: { istio: 'ingressgateway' },
  },
];
const productpage = pods[0]!;
const ingress = pods.at(-1)!;

function bookinfo(...files: string[]) {
  const { push } = setupMesh({ yaml: files.map(file).join('\n---\n'), services, pods });
  return {
    sidecar: generateAll(sidecarProxy(productpage), push),
    gateway: generateAll(routerProxy(ingress), push),
  };
}

const to = (svc: string, headers: Record<string, string> = {}, path = '/'): Call => ({
  address: vip(names.indexOf(svc)),
  port: 9080,
  host: `${svc}:9080`,
  path,
  headers,
});
const cluster = (svc: string, subset = ''): string => `outbound|9080|${subset}|${host(svc)}`;

describe('bookinfo samples', () => {
  test('every sample file translates into valid Envoy config', () => {
    for (const f of readdirSync(DIR).filter((n) => n.endsWith('.yaml'))) {
      const extra =
        f.startsWith('virtual-service') && !f.includes('mysql') ? ['destination-rule-all.yaml'] : [];
      assert.doesNotThrow(() => bookinfo(f, ...extra), `${f}`);
    }
  });

  test('bookinfo-gateway routes the productpage paths and nothing else', () => {
    const { gateway } = bookinfo('bookinfo-gateway.yaml');
    const req = (path: string): Call => ({
      mode: 'gateway',
      port: 8080,
      host: 'bookinfo.example:8080',
      path,
    });
    assert.equal(simulate(gateway, req('/productpage')).cluster, cluster('productpage'));
    assert.equal(simulate(gateway, req('/static/css/x.css')).cluster, cluster('productpage'));
    assert.equal(simulate(gateway, req('/api/v1/products/1')).cluster, cluster('productpage'));
    assert.equal(simulate(gateway, req('/productpage/extra')).error, 'no route');
  });

  test('all v1', () => {
    const { sidecar } = bookinfo('virtual-service-all-v1.yaml', 'destination-rule-all.yaml');
    for (const svc of ['reviews', 'ratings', 'details'])
      assert.equal(simulate(sidecar, to(svc)).cluster, cluster(svc, 'v1'));
  });

  test('jason sees reviews v2; everyone else v1 (test-v2) or v3 (jason-v2-v3)', () => {
    const testV2 = bookinfo('virtual-service-reviews-test-v2.yaml', 'destination-rule-all.yaml').sidecar;
    assert.equal(simulate(testV2, to('reviews', { 'end-user': 'jason' })).cluster, cluster('reviews', 'v2'));
    assert.equal(simulate(testV2, to('reviews', { 'end-user': 'kate' })).cluster, cluster('reviews', 'v1'));
    const v2v3 = bookinfo('virtual-service-reviews-jason-v2-v3.yaml', 'destination-rule-all.yaml').sidecar;
    assert.equal(simulate(v2v3, to('reviews', { 'end-user': 'jason' })).cluster, cluster('reviews', 'v2'));
    assert.equal(simulate(v2v3, to('reviews')).cluster, cluster('reviews', 'v3'));
  });

  test('weighted shifts: 80/20, 90/10, 50/50 v3, v2/v3', () => {
    const weights = (f: string): [string, number][] =>
      (simulate(bookinfo(f, 'destination-rule-all.yaml').sidecar, to('reviews')).weightedClusters ?? []).map(
        (w) => [w.name.split('|')[2]!, w.weight],
      );
    assert.deepEqual(weights('virtual-service-reviews-80-20.yaml'), [
      ['v1', 80],
      ['v2', 20],
    ]);
    assert.deepEqual(weights('virtual-service-reviews-90-10.yaml'), [
      ['v1', 90],
      ['v2', 10],
    ]);
    assert.deepEqual(weights('virtual-service-reviews-50-v3.yaml'), [
      ['v1', 50],
      ['v3', 50],
    ]);
    assert.deepEqual(weights('virtual-service-reviews-v2-v3.yaml'), [
      ['v2', 50],
      ['v3', 50],
    ]);
    assert.equal(
      simulate(
        bookinfo('virtual-service-reviews-v3.yaml', 'destination-rule-all.yaml').sidecar,
        to('reviews'),
      ).cluster,
      cluster('reviews', 'v3'),
    );
  });

  test('fault injection: ratings abort/delay for jason, details abort 555', () => {
    const fault = (r: ReturnType<typeof simulate>): Obj | undefined =>
      (r.routeObject?.typed_per_filter_config as Record<string, Obj> | undefined)?.[
        'envoy.filters.http.fault'
      ];
    const abort = bookinfo('virtual-service-ratings-test-abort.yaml', 'destination-rule-all.yaml').sidecar;
    assert.equal(
      (fault(simulate(abort, to('ratings', { 'end-user': 'jason' })))?.abort as Obj).http_status,
      500,
    );
    assert.equal(fault(simulate(abort, to('ratings'))), undefined);
    const delay = bookinfo('virtual-service-ratings-test-delay.yaml', 'destination-rule-all.yaml').sidecar;
    assert.deepEqual(
      (fault(simulate(delay, to('ratings', { 'end-user': 'jason' })))?.delay as Obj).fixed_delay,
      { seconds: 7, nanos: 0 },
    );
    const details = bookinfo('fault-injection-details-v1.yaml').sidecar;
    assert.equal((fault(simulate(details, to('details')))?.abort as Obj).http_status, 555);
  });

  test('mTLS rules use ISTIO_MUTUAL on every subset cluster', () => {
    const { sidecar } = bookinfo('destination-rule-all-mtls.yaml');
    const reviewsV2 = sidecar.clusters.find((c) => c.name === cluster('reviews', 'v2'))!;
    const tls = (reviewsV2.transport_socket as Obj).typed_config as Obj;
    assert.equal(tls.sni, `outbound_.9080_.v2_.${host('reviews')}`);
  });

  test('egress to googleapis: port 80 is sent to the 443 cluster, which originates TLS', () => {
    const { sidecar } = bookinfo('egress-rule-google-apis.yaml');
    const r = simulate(sidecar, {
      address: '142.250.0.1',
      port: 80,
      host: 'www.googleapis.com',
      path: '/books/v1',
    });
    assert.equal(r.cluster, 'outbound|443||www.googleapis.com');
    const c443 = sidecar.clusters.find((c) => c.name === 'outbound|443||www.googleapis.com')!;
    assert.equal(c443.type, 'STRICT_DNS');
    assert.equal((c443.transport_socket as Obj).name, 'envoy.transport_sockets.tls');
    assert.equal(
      sidecar.clusters.find((c) => c.name === 'outbound|80||www.googleapis.com')!.transport_socket,
      undefined,
    );
  });
});
