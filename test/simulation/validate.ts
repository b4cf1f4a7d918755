// Checks a generated xDS resource against Envoy's protos: it must encode, verify, and survive a
// decode round trip with every field we set (protobufjs fromObject silently drops unknown fields).
import assert from 'node:assert/strict';
import { decodeMessage, lookupType } from '../../src/xds/proto/root.js';

function isDefault(v: unknown): boolean {
  return v === 0 || v === false || v === '' || (Array.isArray(v) && v.length === 0);
}

function assertSubset(expected: unknown, actual: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected a list, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: list length`);
    expected.forEach((e, i) => assertSubset(e, (actual as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(
      actual !== null && typeof actual === 'object',
      `${path}: field dropped by the proto (${JSON.stringify(expected)})`,
    );
    for (const [k, v] of Object.entries(expected)) {
      const a = (actual as Record<string, unknown>)[k];
      if (a === undefined && isDefault(v)) continue;
      assertSubset(v, a, `${path}.${k}`);
    }
    return;
  }
  assert.equal(String(actual), String(expected), `${path}: value changed in the round trip`);
}

/** Throws with the field path when the resource is not a valid `fullName` message. */
export function assertValidResource(fullName: string, resource: object): void {
  const t = lookupType(fullName);
  const msg = t.fromObject(resource);
  assert.equal(t.verify(msg), null, `${fullName} does not verify`);
  const decoded = decodeMessage(fullName, t.encode(msg).finish());
  assertSubset(resource, decoded, fullName);
}
