// Debounce on a fake clock: quiet period, max delay, merging, no overlapping pushes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PushRequest } from '../../src/xds/contracts.js';
import { Debouncer, parseGoDuration } from '../../src/xds/server/debounce.js';
import { FakeClock } from './fake-clock.js';

const req = (full: boolean, host?: string): PushRequest => ({
  full,
  configsUpdated: new Set(),
  edsUpdates: new Set(host ? [host] : []),
  reasons: [full ? 'config' : 'endpoints'],
  start: 0,
});

function setup(after = 100, max = 10_000) {
  const clock = new FakeClock();
  const pushes: { req: PushRequest; at: number; waited: number }[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const d = new Debouncer({
    after,
    max,
    clock,
    push: (r, waited) => {
      pushes.push({ req: r, at: clock.now(), waited });
      return hold ? new Promise<void>((res) => (release = res)) : Promise.resolve();
    },
  });
  return { clock, pushes, d, holdPushes: () => (hold = true), release: () => release?.() };
}

test('pushes once events have been quiet for the debounce period, merging them', () => {
  const { clock, pushes, d } = setup();
  d.enqueue(req(false, 'a'));
  clock.advance(50);
  d.enqueue(req(true));
  clock.advance(50);
  d.enqueue(req(false, 'b'));
  clock.advance(99);
  assert.equal(pushes.length, 0);
  clock.advance(1);
  assert.equal(pushes.length, 1);
  assert.equal(pushes[0]?.at, 200);
  assert.equal(pushes[0]?.waited, 200);
  assert.equal(pushes[0]?.req.full, true);
  assert.deepEqual([...(pushes[0]?.req.edsUpdates ?? [])].sort(), ['a', 'b']);
});

test('a burst that never goes quiet is pushed after the max delay', () => {
  const { clock, pushes, d } = setup(100, 1000);
  for (let t = 0; t < 1500; t += 50) {
    d.enqueue(req(false, `h${t}`));
    clock.advance(50);
  }
  assert.equal(pushes.length, 1);
  assert.ok((pushes[0]?.at ?? 0) >= 1000 && (pushes[0]?.at ?? 0) < 1100, `pushed at ${pushes[0]?.at}`);
});

test('a push never starts while the previous one runs', async () => {
  const { clock, pushes, d, holdPushes, release } = setup();
  holdPushes();
  d.enqueue(req(true));
  clock.advance(100);
  assert.equal(pushes.length, 1);
  d.enqueue(req(false, 'x'));
  clock.advance(500);
  assert.equal(pushes.length, 1);
  release();
  await new Promise((r) => setImmediate(r));
  clock.advance(100);
  assert.equal(pushes.length, 2);
  assert.deepEqual([...(pushes[1]?.req.edsUpdates ?? [])], ['x']);
});

test('PILOT_DEBOUNCE_* durations parse like Go durations', () => {
  assert.equal(parseGoDuration('100ms'), 100);
  assert.equal(parseGoDuration('10s'), 10_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('10'), undefined);
  assert.equal(parseGoDuration(''), undefined);
});
