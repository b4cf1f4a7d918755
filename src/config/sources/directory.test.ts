import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigStore } from '../store.js';
import type { ConfigEvent } from '../store-types.js';
import { DirectorySource } from './directory.js';

const gateway = (name: string, port: number, extra = ''): string =>
  `apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata:
  name: ${name}
  namespace: weather
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: ${port}
      name: http
      protocol: HTTP
    hosts: ["*"]
${extra}`;

/** Resolves with the next batch of events, failing after `ms`. */
function nextBatch(store: ConfigStore, ms = 1000): Promise<readonly ConfigEvent[]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`no config event within ${ms} ms`));
    }, ms);
    const off = store.watch((evs) => {
      clearTimeout(t);
      off();
      resolve(evs);
    });
  });
}

async function setup(): Promise<{ dir: string; store: ConfigStore; src: DirectorySource; logs: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-dirsrc-'));
  await mkdir(join(dir, 'networking'));
  await writeFile(join(dir, 'networking', 'gw.yaml'), gateway('weather-gateway', 80));
  await writeFile(join(dir, 'other.yaml'), gateway('other', 81));
  const store = new ConfigStore();
  const logs: string[] = [];
  const src = new DirectorySource(store, dir, { log: (l) => logs.push(l) });
  await src.start();
  store.flush();
  return { dir, store, src, logs };
}

const portOf = (store: ConfigStore, name: string): unknown =>
  (
    store.get({ group: 'networking.istio.io', kind: 'Gateway', namespace: 'weather', name })?.resource
      .spec as { servers: { port: { number: number } }[] } | undefined
  )?.servers[0]?.port.number;

test('loads recursively and an edit on disk becomes an event within 1 s', async (t) => {
  const { dir, store, src } = await setup();
  t.after(() => src.close());
  assert.equal(store.list().length, 2);
  const started = Date.now();
  const batch = nextBatch(store);
  await writeFile(join(dir, 'networking', 'gw.yaml'), gateway('weather-gateway', 8080));
  const evs = await batch;
  assert.ok(Date.now() - started < 1000);
  assert.deepEqual(
    evs.map((e) => [e.type, e.config.resource.metadata.name]),
    [['updated', 'weather-gateway']],
  );
  assert.equal(portOf(store, 'weather-gateway'), 8080);
});

test('an invalid save is reported with file:line and the last good version keeps serving', async (t) => {
  const { dir, store, src, logs } = await setup();
  t.after(() => src.close());
  const file = join(dir, 'networking', 'gw.yaml');
  await writeFile(file, gateway('weather-gateway', 8000, '    bogus: true\n'));
  await new Promise((r) => setTimeout(r, 150));
  await src.settled();
  assert.equal(portOf(store, 'weather-gateway'), 80);
  const [st] = src.status();
  assert.equal(st?.file, file);
  assert.equal(st?.diagnostics[0]?.line, 15);
  assert.match(st?.diagnostics[0]?.path ?? '', /spec\.servers\[0\]\.bogus/);
  assert.ok(logs.some((l) => l.includes(`${file}:15`)));

  // a YAML syntax error keeps it too; fixing the file clears the status
  await writeFile(file, 'kind: [\n');
  await new Promise((r) => setTimeout(r, 150));
  await src.settled();
  assert.equal(portOf(store, 'weather-gateway'), 80);
  const fixed = nextBatch(store);
  await writeFile(file, gateway('weather-gateway', 8081));
  await fixed;
  assert.equal(portOf(store, 'weather-gateway'), 8081);
  assert.deepEqual(src.status(), []);
});

test('deleting a file deletes its resources; new directories and rename-on-save are seen', async (t) => {
  const { dir, store, src } = await setup();
  t.after(() => src.close());
  let batch = nextBatch(store);
  await rm(join(dir, 'other.yaml'));
  assert.deepEqual(
    (await batch).map((e) => [e.type, e.config.resource.metadata.name]),
    [['deleted', 'other']],
  );

  batch = nextBatch(store);
  await mkdir(join(dir, 'later', 'deeper'), { recursive: true });
  await writeFile(join(dir, 'later', 'deeper', 'new.yaml'), gateway('added', 90));
  assert.deepEqual(
    (await batch).map((e) => [e.type, e.config.resource.metadata.name]),
    [['added', 'added']],
  );

  // editors write a temp file and rename it over the original
  batch = nextBatch(store);
  const tmp = join(dir, 'networking', '.gw.yaml.swp');
  await writeFile(tmp, gateway('weather-gateway', 9090));
  await rename(tmp, join(dir, 'networking', 'gw.yaml'));
  await batch;
  assert.equal(portOf(store, 'weather-gateway'), 9090);

  batch = nextBatch(store);
  await rm(join(dir, 'later'), { recursive: true });
  assert.equal((await batch)[0]?.type, 'deleted');
  assert.equal(store.list().length, 1);
});
