// End to end: host tricks against an AuthorizationPolicy on `weft up --detach` with the weather
// sample. sleep (default) calls forecast through both sidecars with crafted Host headers; a DENY
// naming forecast's FQDN (and `:*` for ports, as Istio advises) refuses every case, trailing-dot
// and port spelling of it, while another name of the same service is not that host.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { TestMesh, meshSkipReason, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const FORECAST = 'forecast.weather.svc.cluster.local';

const DENY_FORECAST_HOST = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-forecast-host, namespace: weather }
spec:
  selector: { matchLabels: { app: forecast } }
  action: DENY
  rules: [{ to: [{ operation: { hosts: [${FORECAST}, "${FORECAST}:*"] } }] }]
`;

before(async () => {
  if (skip) return;
  await mesh.upSample(['install/weather-v1.yaml', 'install/sleep.yaml']);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

/** Status of GET /health on forecast:3002 from the sleep pod, once per Host header. */
async function statusesFromSleep(hosts: readonly string[]): Promise<number[]> {
  const script = `import http from 'node:http';
const get = (host) => new Promise((resolve) => {
  const req = http.get({ host: 'forecast.weather', port: 3002, path: '/health', headers: { host } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', () => resolve(0));
});
const out = [];
for (const h of ${JSON.stringify(hosts)}) out.push(await get(h));
console.log(JSON.stringify(out));`;
  return mesh.nodeIn<number[]>('default', 'sleep', script);
}

test('DENY on forecast hosts: case, trailing-dot and port spellings are all refused', { skip }, async () => {
  const tricks = [
    FORECAST,
    'FORECAST.Weather.svc.cluster.local',
    `${FORECAST}.`,
    `${FORECAST}:3002`,
    'Forecast.weather.svc.cluster.local.:3002',
  ];
  const other = 'forecast.weather:3002';
  assert.deepEqual(await statusesFromSleep([...tricks, other]), [...tricks.map(() => 200), 200]);
  await mesh.apply(DENY_FORECAST_HOST);
  try {
    assert.deepEqual(await statusesFromSleep([...tricks, other]), [...tricks.map(() => 403), 200]);
  } finally {
    const r = await weft(['delete', '-f', '-', '--state-dir', mesh.stateDir], DENY_FORECAST_HOST);
    assert.equal(r.code, 0, r.stderr);
  }
});
