// End to end on `weft up --detach` with the weather sample (scenarios.md). The mesh comes up
// once for the file; each test is one scenario against it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE, TestMesh, weft } from './mesh.js';

const mesh = new TestMesh();
const page = (path = '/'): string => `http://127.0.0.1:${mesh.ingressPort}${path}`;

before(async () => {
  const up = await weft([
    'up',
    '--detach',
    ...mesh.upFlags(),
    '--timeout',
    '180',
    '-f',
    join(SAMPLE, 'install/namespaces.yaml'),
    '-f',
    join(SAMPLE, 'install/weather-v1.yaml'),
    '-f',
    join(SAMPLE, 'networking'),
    '--images',
    join(SAMPLE, 'images.yaml'),
  ]);
  if (up.code !== 0) {
    const status = await weft(['status', '--state-dir', mesh.stateDir]);
    throw new Error(`weft up --detach failed (${up.code}):\n${up.stderr}\n${status.stdout}${status.stderr}`);
  }
});

after(async () => {
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

test('scenario 01: baseline through the ingress: green buttons, weather and an ad, no recommendation', async () => {
  const home = await fetch(page('/'));
  const html = await home.text();
  assert.equal(home.status, 200, html);
  assert.match(html, /data-version="v1"/);
  assert.match(html, /class="btn-green"/);
  const query = await fetch(page('/?city=Paris'));
  const result = await query.text();
  assert.equal(query.status, 200, result);
  assert.match(result, /<div id="weather" data-forecast-version="v1">Paris: /);
  assert.doesNotMatch(result, /<div id="ad">[^<]*unavailable/);
  assert.doesNotMatch(result, /id="recommendation"/);
});

test('weft status lists every pod Ready with its sidecar', async () => {
  const r = await weft(['status', '--state-dir', mesh.stateDir, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const { pods } = JSON.parse(r.stdout) as {
    pods: { name: string; namespace: string; status: { ready: boolean; containers: { name: string }[] } }[];
  };
  const weather = pods.filter((p) => p.namespace === 'weather');
  assert.equal(weather.length, 3);
  for (const p of weather) {
    assert.ok(p.status.ready, `${p.name} not ready`);
    assert.deepEqual(
      p.status.containers.map((c) => c.name).sort(),
      ['istio-proxy', p.name.split('-v1-')[0]!].sort(),
    );
  }
});

test('weft exec runs in the pod: frontend reaches forecast by name through its sidecar', async () => {
  const r = await weft([
    'exec',
    'deploy/frontend-v1',
    '-n',
    'weather',
    '--state-dir',
    mesh.stateDir,
    '--',
    process.execPath,
    '-e',
    "fetch('http://forecast:3002/weather?locate=Oslo').then(async r => console.log(r.status, r.headers.get('server'), await r.text()))",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^200 /);
  assert.match(r.stdout, /Oslo/);
});
