import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigStore } from '../../src/config/store.js';
import { createConfigApi } from '../../src/config/sources/api.js';
import { PersistedConfig } from '../../src/config/sources/persisted.js';
import { writeControlPlaneInfo } from '../../src/config/state-dir.js';
import { weft } from './run.js';

/** A control plane's config API in this process, registered in a fresh state directory. */
async function controlPlane(): Promise<{ stateDir: string; store: ConfigStore; close: () => void }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'weft-cli-state-'));
  const store = new ConfigStore();
  const { persisted } = await PersistedConfig.open(store, stateDir);
  const api = createConfigApi(store, { persisted });
  const server = createServer((req, res) => void (api(req, res) || res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await writeControlPlaneInfo(stateDir, {
    pid: process.pid,
    http: `127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  return { stateDir, store, close: () => server.close() };
}

test('weft apply / get / delete against the running control plane', async (t) => {
  const cp = await controlPlane();
  t.after(cp.close);
  const sd = ['--state-dir', cp.stateDir];

  let r = await weft(['apply', '-f', 'samples/weather/networking/', ...sd]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^gateway\.networking\.istio\.io\/weather-gateway created$/m);
  assert.match(r.stdout, /^virtualservice\.networking\.istio\.io\/forecast-route created$/m);
  r = await weft(['apply', '-f', 'samples/weather/networking/gateway.yaml', ...sd]);
  assert.equal(r.stdout, 'gateway.networking.istio.io/weather-gateway unchanged\n');

  r = await weft(['get', 'vs', '-n', 'weather', ...sd]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+AGE\n/);
  assert.match(r.stdout, /^forecast-route\s+\d+s$/m);
  r = await weft(['get', 'destinationrules', '-A', '-o', 'json', ...sd]);
  const list = JSON.parse(r.stdout) as { kind: string; items: { metadata: { namespace: string } }[] };
  assert.equal(list.kind, 'List');
  assert.equal(list.items.length, 5);
  r = await weft(['get', 'gateway', 'weather-gateway', '-n', 'istio-system', '-o', 'yaml', ...sd]);
  assert.match(r.stdout, /^kind: Gateway$/m);
  assert.match(r.stdout, /^ {2}resourceVersion: "\d+"$/m);
  r = await weft(['get', 'vs', '-n', 'nowhere', ...sd]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /No resources found in nowhere namespace/);
  r = await weft(['get', 'frobnicators', ...sd]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /doesn't have a resource type "frobnicators"/);

  r = await weft(['delete', '-f', 'samples/weather/networking/gateway.yaml', ...sd]);
  assert.equal(r.stdout, 'gateway.networking.istio.io "weather-gateway" deleted\n');
  r = await weft(['delete', 'vs', 'forecast-route', 'nope', '-n', 'weather', ...sd]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /virtualservice\.networking\.istio\.io "forecast-route" deleted/);
  assert.match(r.stderr, /Error from server \(NotFound\): .* "nope" not found/);
  assert.equal(cp.store.list().filter((c) => c.resource.kind === 'VirtualService').length, 4);
});

test('weft apply: -n fills in the namespace; an invalid file applies nothing and names file:line', async (t) => {
  const cp = await controlPlane();
  t.after(cp.close);
  const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
  const bad = join(dir, 'bad.yaml');
  await writeFile(
    bad,
    'apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: g\nspec:\n  servers: 3\n',
  );
  let r = await weft([
    'apply',
    '-f',
    'samples/weather/install/httpbin.yaml',
    '-f',
    bad,
    '--state-dir',
    cp.stateDir,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${bad}:6: Gateway g: spec\\.servers: `, 'm'));
  assert.match(r.stderr, /nothing was applied/);
  assert.equal(cp.store.list().length, 0);

  r = await weft(
    ['apply', '-n', 'weather', '-f', '-', '--state-dir', cp.stateDir],
    await readFile('samples/weather/install/httpbin.yaml', 'utf8'),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(cp.store.list(undefined, 'weather').length >= 3);
});

test('weft apply|get say plainly when no control plane is running', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'weft-cli-none-'));
  const [a, g] = await Promise.all([
    weft(['apply', '-f', 'samples/weather/networking/gateway.yaml', '--state-dir', empty]),
    weft(['get', 'vs', '--server', '127.0.0.1:1']),
  ]);
  assert.equal(a.code, 1);
  assert.match(a.stderr, /no control plane is running .*weft up.*weft control-plane/);
  assert.equal(g.code, 1);
  assert.match(g.stderr, /no control plane answering at http:\/\/127\.0\.0\.1:1/);
});
