// End to end, telemetry (scenarios.md 41) on `weft up --detach` with the weather sample: Istio's
// standard metrics as a Prometheus server would scrape them, from the sidecars' 15090 and the
// agents' merged 15020 (a real Prometheus server comes later).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { TestMesh, meshSkipReason } from './mesh.js';
import { scrapePod, sumSamples } from './prometheus.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();

before(async () => {
  if (skip) return;
  await mesh.upSample(['install/weather-v1.yaml']);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

/** GETs sent from inside frontend-v1 (through its sidecar); the status codes that came back. */
async function fromFrontend(url: string, n: number): Promise<number[]> {
  const script = `const out = [];
for (let i = 0; i < ${n}; i++) {
  const r = await fetch(${JSON.stringify(url)});
  await r.arrayBuffer();
  out.push(r.status);
}
console.log(JSON.stringify(out));`;
  return mesh.nodeIn<number[]>('weather', 'frontend-v1', script);
}

const SCENARIO_41 = {
  reporter: 'destination',
  destination_service_name: 'advertisement',
  response_code: '200',
  source_workload: 'frontend-v1',
  destination_workload: 'advertisement-v1',
  destination_version: 'v1',
};

test(
  'scenario 41: 10 requests frontend → advertisement raise istio_requests_total by exactly 10 on 15090 and 15020',
  { skip },
  async () => {
    const scrape = (port: 15090 | 15020): Promise<string> =>
      scrapePod(mesh, 'weather', 'advertisement-v1', port);
    const before = {
      proxy: sumSamples(await scrape(15090), 'istio_requests_total', SCENARIO_41),
      merged: sumSamples(await scrape(15020), 'istio_requests_total', SCENARIO_41),
      source: sumSamples(await scrapePod(mesh, 'weather', 'frontend-v1', 15090), 'istio_requests_total', {
        ...SCENARIO_41,
        reporter: 'source',
      }),
    };
    assert.deepEqual(await fromFrontend('http://advertisement:3003/ad', 10), Array(10).fill(200));

    const proxy = await scrape(15090);
    assert.equal(sumSamples(proxy, 'istio_requests_total', SCENARIO_41) - before.proxy, 10);
    assert.equal(
      sumSamples(proxy, 'istio_request_duration_milliseconds_count', SCENARIO_41),
      sumSamples(proxy, 'istio_requests_total', SCENARIO_41),
    );
    // The full label set Istio reports for it.
    assert.equal(
      sumSamples(proxy, 'istio_requests_total', {
        ...SCENARIO_41,
        source_workload_namespace: 'weather',
        source_app: 'frontend',
        source_version: 'v1',
        source_canonical_service: 'frontend',
        source_canonical_revision: 'v1',
        source_principal: 'spiffe://cluster.local/ns/weather/sa/weather-frontend',
        destination_workload_namespace: 'weather',
        destination_app: 'advertisement',
        destination_principal: 'spiffe://cluster.local/ns/weather/sa/weather-advertisement',
        destination_service: 'advertisement.weather.svc.cluster.local',
        destination_service_namespace: 'weather',
        destination_canonical_service: 'advertisement',
        destination_canonical_revision: 'v1',
        request_protocol: 'http',
        grpc_response_status: '',
        response_flags: '-',
        connection_security_policy: 'mutual_tls',
      }) - before.proxy,
      10,
    );

    // The agent's merged endpoint carries the same series and the agent's own metrics.
    const merged = await scrape(15020);
    assert.equal(sumSamples(merged, 'istio_requests_total', SCENARIO_41) - before.merged, 10);
    assert.ok(sumSamples(merged, 'istio_agent_process_start_time_seconds', {}) > 0, merged.slice(-500));

    // frontend's sidecar reports the same requests as the source, naming the peer it learned
    // from advertisement's response (metadata exchange) and the principals of its mTLS connection.
    const source = await scrapePod(mesh, 'weather', 'frontend-v1', 15090);
    assert.equal(
      sumSamples(source, 'istio_requests_total', {
        ...SCENARIO_41,
        reporter: 'source',
        source_principal: 'spiffe://cluster.local/ns/weather/sa/weather-frontend',
        destination_principal: 'spiffe://cluster.local/ns/weather/sa/weather-advertisement',
        connection_security_policy: 'unknown',
      }) - before.source,
      10,
    );
  },
);

test(
  'the ingress gateway reports its requests as the source; frontend reports them as the destination',
  { skip },
  async () => {
    const gatewayCall = {
      reporter: 'source',
      source_workload: 'istio-ingressgateway',
      source_workload_namespace: 'istio-system',
      destination_workload: 'frontend-v1',
      destination_service_name: 'frontend',
      destination_service_namespace: 'weather',
      response_code: '200',
    };
    const frontendCall = {
      ...gatewayCall,
      reporter: 'destination',
      connection_security_policy: 'mutual_tls',
    };
    const count = async (): Promise<[number, number]> => [
      sumSamples(
        await scrapePod(mesh, 'istio-system', 'istio-ingressgateway', 15090),
        'istio_requests_total',
        gatewayCall,
      ),
      sumSamples(
        await scrapePod(mesh, 'weather', 'frontend-v1', 15090),
        'istio_requests_total',
        frontendCall,
      ),
    ];
    const before = await count();
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${mesh.ingressPort}/`);
      await r.arrayBuffer();
      assert.equal(r.status, 200);
    }
    const after = await count();
    assert.deepEqual([after[0] - before[0], after[1] - before[1]], [3, 3]);
  },
);
