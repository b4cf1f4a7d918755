import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '../api/resource.js';
import { parseResources } from './loader.js';
import { ConfigStore, type Timers } from './store.js';
import type { ConfigEvent } from './store-types.js';

/** Timers driven by the test: advance(ms) fires what is due. */
function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void due.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
    },
  };
}

const gw = (name: string, port = 80, extra: Partial<Resource> = {}): Resource => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'Gateway',
  metadata: { name },
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: port, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
  },
  ...extra,
});

function setup(): { store: ConfigStore; timers: ReturnType<typeof fakeTimers>; batches: ConfigEvent[][] } {
  const timers = fakeTimers();
  const store = new ConfigStore({ timers, debounceMs: 100, maxDelayMs: 1000 });
  const batches: ConfigEvent[][] = [];
  store.watch((evs) => batches.push([...evs]));
  return { store, timers, batches };
}

const key = { group: 'networking.istio.io', kind: 'Gateway', namespace: 'default', name: 'a' };

test('apply defaults the namespace, counts versions and bumps generation on spec change only', () => {
  const { store } = setup();
  const r1 = store.apply([{ resource: gw('a') }], { owner: 'api' });
  assert.deepEqual(r1, { ok: true, items: [{ key, outcome: 'created' }] });
  const c1 = store.get(key)!;
  assert.equal(c1.resource.metadata.namespace, 'default');
  assert.equal(c1.resourceVersion, '1');
  assert.equal(c1.generation, 1);

  assert.equal(store.apply([{ resource: gw('a', 81) }], { owner: 'api' }).ok, true);
  assert.equal(store.get(key)!.generation, 2);
  assert.equal(store.get(key)!.resourceVersion, '2');

  // a label change is an update without a new generation
  const labelled = gw('a', 81);
  labelled.metadata.labels = { team: 'x' };
  const r3 = store.apply([{ resource: labelled }], { owner: 'api' });
  assert.equal(r3.ok && r3.items[0]!.outcome, 'configured');
  assert.equal(store.get(key)!.generation, 2);
  assert.equal(store.version, 3);

  const other = store.apply([{ resource: gw('a') }], { owner: 'api', defaultNamespace: 'weather' });
  assert.equal(other.ok && other.items[0]!.key.namespace, 'weather');
  assert.equal(store.list(undefined, 'weather').length, 1);
  assert.equal(store.list({ group: 'networking.istio.io', kind: 'Gateway' }).length, 2);
});

test('events are debounced into one batch and coalesced per object', () => {
  const { store, timers, batches } = setup();
  store.apply([{ resource: gw('a') }], { owner: 'api' });
  timers.advance(50);
  store.apply([{ resource: gw('a', 81) }, { resource: gw('b') }], { owner: 'api' });
  store.delete([{ ...key, name: 'b' }]);
  timers.advance(99);
  assert.equal(batches.length, 0, 'quiet period restarts on each change');
  timers.advance(1);
  assert.equal(batches.length, 1);
  assert.deepEqual(
    batches[0]!.map((e) => [e.type, e.config.resource.metadata.name, e.config.generation]),
    [['added', 'a', 2]],
  );
});

test('a steady stream of changes is still delivered within maxDelay', () => {
  const { store, timers, batches } = setup();
  for (let i = 0; i < 30; i++) {
    store.apply([{ resource: gw('a', 1000 + i) }], { owner: 'api' });
    timers.advance(60);
  }
  assert.ok(batches.length >= 1 && batches.length <= 2, `got ${batches.length} batches`);
  assert.equal(batches[0]![0]!.type, 'added');
});

test('re-applying an unchanged object is a no-op: no version bump, no event', () => {
  const { store, timers, batches } = setup();
  store.apply([{ resource: gw('a') }], { owner: 'api' });
  timers.advance(200);
  const reordered: Resource = JSON.parse(JSON.stringify(gw('a')));
  reordered.spec = {
    servers: (gw('a').spec as { servers: unknown }).servers,
    selector: { istio: 'ingressgateway' },
  };
  const r = store.apply([{ resource: reordered }], { owner: 'api' });
  assert.equal(r.ok && r.items[0]!.outcome, 'unchanged');
  timers.advance(200);
  assert.equal(store.version, 1);
  assert.equal(batches.length, 1);
});

test('an invalid resource is rejected with file:line and the previous version keeps serving', () => {
  const { store } = setup();
  store.apply([{ resource: gw('a') }], { owner: 'api' });
  const text =
    'apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: a\nspec:\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ["*"]\n    bogus: 1\n';
  const bad = parseResources(text, 'gw.yaml').resources;
  const r = store.apply([{ resource: gw('b') }, ...bad], { owner: 'api' });
  assert.equal(r.ok, false);
  const d = !r.ok ? r.diagnostics.find((x) => x.severity === 'error')! : undefined;
  assert.equal(d?.file, 'gw.yaml');
  assert.equal(d?.line, 9);
  assert.match(d?.path ?? '', /spec\.servers\[0\]\.bogus/);
  assert.equal(store.get({ ...key, name: 'b' }), undefined, 'all-or-nothing');
  assert.equal(store.get(key)!.generation, 1);
});

test('replaceOwner deletes what an owner no longer has and leaves other owners alone', () => {
  const { store, timers, batches } = setup();
  store.replaceOwner('f1', [{ resource: gw('a') }, { resource: gw('b') }]);
  store.apply([{ resource: gw('c') }], { owner: 'api' });
  timers.advance(200);
  store.replaceOwner('f1', [{ resource: gw('a', 8080) }]);
  timers.advance(200);
  assert.deepEqual(
    store.list().map((c) => c.resource.metadata.name),
    ['a', 'c'],
  );
  assert.deepEqual(batches[1]!.map((e) => [e.type, e.config.resource.metadata.name]).sort(), [
    ['deleted', 'b'],
    ['updated', 'a'],
  ]);
  assert.equal(store.ownerOf(key), 'f1');
});

test('a throwing watcher does not break the store or other watchers', () => {
  const errors: unknown[] = [];
  const timers = fakeTimers();
  const store = new ConfigStore({ timers, onHandlerError: (e) => errors.push(e) });
  let seen = 0;
  store.watch(() => {
    throw new Error('boom');
  });
  store.watch((evs) => (seen += evs.length));
  store.apply([{ resource: gw('a') }], { owner: 'api' });
  timers.advance(100);
  assert.equal(seen, 1);
  assert.equal(errors.length, 1);
  assert.throws(() => {
    (store.get(key)!.resource.metadata as { name: string }).name = 'x';
  }, 'stored objects are frozen');
});
