import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rolloutStep, type PodView } from './rollout.js';

const pod = (name: string, hash: string, ready: boolean, startTime = 0): PodView => ({
  name,
  hash,
  ready,
  startTime,
});

test('creates the missing replicas of the current template', () => {
  assert.deepEqual(rolloutStep(3, 'h1', [pod('a', 'h1', true)]), { create: 2, remove: [] });
});

test('scales down, not-ready and newest pods first', () => {
  const r = rolloutStep(1, 'h1', [
    pod('a', 'h1', true, 1),
    pod('b', 'h1', true, 2),
    pod('c', 'h1', false, 0),
  ]);
  assert.deepEqual(r, { create: 0, remove: ['c', 'b'] });
});

test('rolling update keeps old pods until new ones are ready', () => {
  const pods = [pod('old1', 'h1', true), pod('old2', 'h1', true)];
  assert.deepEqual(rolloutStep(2, 'h2', pods), { create: 2, remove: [] });
  const halfway = [...pods, pod('new1', 'h2', true), pod('new2', 'h2', false)];
  assert.deepEqual(rolloutStep(2, 'h2', halfway).remove.length, 1);
  const done = [...pods, pod('new1', 'h2', true), pod('new2', 'h2', true)];
  assert.deepEqual(rolloutStep(2, 'h2', done), { create: 0, remove: ['old1', 'old2'] });
});

test('a crash-looping old pod goes once a new pod is ready', () => {
  const r = rolloutStep(1, 'h2', [pod('old', 'h1', false), pod('new', 'h2', true)]);
  assert.deepEqual(r, { create: 0, remove: ['old'] });
});

test('replicas 0 removes everything', () => {
  assert.deepEqual(rolloutStep(0, 'h2', [pod('old', 'h1', false), pod('x', 'h2', true)]), {
    create: 0,
    remove: ['x', 'old'],
  });
});
