import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigStore } from '../store.js';
import { callApi } from './api-client.js';
import { createConfigApi } from './api.js';
import { DirectorySource } from './directory.js';
import { PersistedConfig } from './persisted.js';

const vs = (name: string, host: string, ns?: string): string => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: ${name}${ns ? `\n  namespace: ${ns}` : ''}
spec:
  hosts: [${host}]
  http:
  - route:
    - destination:
        host: ${host}
`;

async function serve(stateDir: string): Promise<{ base: string; store: ConfigStore; server: Server }> {
  const store = new ConfigStore();
  const { persisted } = await PersistedConfig.open(store, stateDir);
  const api = createConfigApi(store, { persisted });
  const server = createServer((req, res) => {
    if (!api(req, res)) res.writeHead(404).end('not mine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store, server };
}

test('apply reports created/configured/unchanged, get lists and fetches, delete removes', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'weft-api-'));
  const { base, server } = await serve(stateDir);
  t.after(() => server.close());
  const docs = `${vs('forecast-route', 'forecast')}---\n${vs('ad-route', 'advertisement')}`;
  let r = await callApi(base, 'POST', '/apis/apply?namespace=weather', docs);
  assert.equal(r.status, 200);
  assert.deepEqual(
    (r.body as { items: { name: string; outcome: string; namespace: string }[] }).items.map((i) => [
      i.namespace,
      i.name,
      i.outcome,
    ]),
    [
      ['weather', 'forecast-route', 'created'],
      ['weather', 'ad-route', 'created'],
    ],
  );
  r = await callApi(
    base,
    'POST',
    '/apis/apply?namespace=weather',
    `${vs('forecast-route', 'forecast2')}---\n${vs('ad-route', 'advertisement')}`,
  );
  assert.deepEqual(
    (r.body as { items: { outcome: string }[] }).items.map((i) => i.outcome),
    ['configured', 'unchanged'],
  );

  r = await callApi(base, 'GET', '/apis/config/virtualservices?namespace=weather');
  assert.deepEqual(
    (r.body as { kind: string; items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name),
    ['ad-route', 'forecast-route'],
  );
  r = await callApi(base, 'GET', '/apis/config/vs/forecast-route?namespace=weather');
  assert.equal((r.body as { metadata: { generation: number } }).metadata.generation, 2);
  r = await callApi(base, 'GET', '/apis/config/vs/forecast-route');
  assert.equal(r.status, 404);
  assert.match(
    (r.body as { error: string }).error,
    /virtualservices.networking.istio.io "forecast-route" not found/,
  );
  r = await callApi(base, 'GET', '/apis/config/frobnicators');
  assert.equal(r.status, 404);

  r = await callApi(base, 'POST', '/apis/delete?namespace=weather', vs('ad-route', 'x'));
  assert.deepEqual(
    (r.body as { items: { outcome: string }[] }).items.map((i) => i.outcome),
    ['deleted'],
  );
  r = await callApi(base, 'DELETE', '/apis/config/virtualservice/forecast-route?namespace=weather');
  assert.equal(r.status, 200);
  r = await callApi(base, 'DELETE', '/apis/config/virtualservice/forecast-route?namespace=weather');
  assert.equal(r.status, 404);
});

test('apply is all-or-nothing and answers with file:line diagnostics; bad bodies never crash', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'weft-api-'));
  const { base, server, store } = await serve(stateDir);
  t.after(() => server.close());
  const bad = `${vs('good', 'a')}---\n${vs('bad', 'b').replace('hosts:', 'hostz:')}`;
  let r = await callApi(base, 'POST', '/apis/apply', bad);
  assert.equal(r.status, 422);
  const body = r.body as { error: string; diagnostics: { line: number; message: string }[] };
  assert.match(body.diagnostics[0]!.message, /unknown field "hostz" \(did you mean "hosts"\?\)/);
  assert.equal(body.diagnostics[0]!.line, 17);
  assert.equal(store.list().length, 0);

  r = await callApi(base, 'POST', '/apis/apply', 'kind: [');
  assert.equal(r.status, 400);
  r = await callApi(base, 'POST', '/apis/apply?namespace=other', vs('x', 'a', 'weather'));
  assert.equal(r.status, 400);
  assert.match((r.body as { error: string }).error, /does not match the namespace "other"/);
  r = await callApi(base, 'POST', '/apis/apply', '');
  assert.equal(r.status, 400);
  r = await callApi(base, 'GET', '/apis');
  assert.ok((r.body as { kinds: { kind: string }[] }).kinds.some((k) => k.kind === 'VirtualService'));
  const other = await fetch(`${base}/metrics`);
  assert.equal(await other.text(), 'not mine', 'paths outside /apis are left to the caller');
});

test('applied config survives a restart; objects from a config directory cannot be deleted via the API', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'weft-api-'));
  const first = await serve(stateDir);
  await callApi(first.base, 'POST', '/apis/apply', vs('kept', 'forecast'));
  first.server.close();

  const second = await serve(stateDir);
  t.after(() => second.server.close());
  assert.deepEqual(
    second.store.list().map((c) => c.resource.metadata.name),
    ['kept'],
  );
  const cfg = await mkdtemp(join(tmpdir(), 'weft-api-dir-'));
  await writeFile(join(cfg, 'vs.yaml'), vs('from-file', 'x'));
  const dirSrc = new DirectorySource(second.store, cfg);
  await dirSrc.start();
  t.after(() => dirSrc.close());
  const r = await callApi(second.base, 'DELETE', '/apis/config/vs/from-file?namespace=default');
  assert.equal(r.status, 409);
  assert.match((r.body as { error: string }).error, /comes from .*vs\.yaml; remove it there/);
});
