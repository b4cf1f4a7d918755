import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arr, duration, enumOf, formatPath, int, obj, parseDuration, Sink, str } from './dsl.js';

const Route = obj(
  {
    name: str(),
    weight: int({ min: 0, max: 100 }),
    mode: enumOf(['A', 'B']),
    timeout: duration(),
    tags: arr(str(), { unique: true }),
  },
  { required: ['name'], oneOf: [['weight', 'mode']] },
);

function run(v: unknown): string[] {
  const s = new Sink();
  Route.check(v, ['spec'], s);
  return s.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

test('unknown field is rejected with a suggestion', () => {
  assert.deepEqual(run({ name: 'a', wieght: 3 }), [
    'spec.wieght: unknown field "wieght" (did you mean "weight"?)',
  ]);
  assert.match(run({ name: 'a', time_out: '1s' })[0]!, /did you mean "timeout"/);
});

test('types, ranges, enums, required, oneof and duplicates are reported with paths', () => {
  assert.deepEqual(run({}), ['spec.name: Required value']);
  assert.match(run({ name: 1 })[0]!, /^spec.name: must be of type string/);
  assert.match(run({ name: 'a', weight: 101 })[0]!, /^spec.weight: must be less than or equal to 100/);
  assert.match(run({ name: 'a', mode: 'C' })[0]!, /Unsupported value: "C"/);
  assert.match(run({ name: 'a', weight: 1, mode: 'A' })[0]!, /only one of weight, mode/);
  assert.match(run({ name: 'a', tags: ['x', 'x'] })[0]!, /^spec.tags\[1\]: Duplicate value/);
  assert.match(run({ name: 'a', timeout: '10' })[0]!, /must be a valid duration, got "10"/);
});

test('durations parse like Go and protobuf JSON', () => {
  assert.equal(parseDuration('1.5s'), 1.5);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('100ms'), 0.1);
  assert.equal(parseDuration('abc'), undefined);
});
