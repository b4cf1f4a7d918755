// Checks a generated xDS resource against Envoy's protos: it must encode, verify, and survive a
// decode round trip with every field we set (protobufjs fromObject silently drops unknown fields).
// The walk follows the proto types (through Any's @type) so that an empty map, which the wire
// cannot carry, is not mistaken for a dropped field.
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { decodeMessage, lookupType } from '../../src/xds/proto/root.js';

function isDefault(v: unknown): boolean {
  return v === 0 || v === false || v === '' || (Array.isArray(v) && v.length === 0);
}

const isEmptyObject = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

function typeOf(value: object, declared: protobuf.Type | undefined): protobuf.Type | undefined {
  const url = (value as { '@type'?: unknown })['@type'];
  return typeof url === 'string' ? lookupType(url.slice(url.lastIndexOf('/') + 1)) : declared;
}

function messageType(f: protobuf.Field | undefined): protobuf.Type | undefined {
  return f?.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
}

function assertSubset(expected: unknown, actual: unknown, path: string, type?: protobuf.Type): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected a list, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: list length`);
    expected.forEach((e, i) => assertSubset(e, (actual as unknown[])[i], `${path}[${i}]`, type));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(
      actual !== null && typeof actual === 'object',
      `${path}: field dropped by the proto (${JSON.stringify(expected)})`,
    );
    const t = typeOf(expected, type);
    for (const [k, v] of Object.entries(expected)) {
      const a = (actual as Record<string, unknown>)[k];
      const field = t?.fields[k];
      if (a === undefined && (isDefault(v) || (field?.map && isEmptyObject(v)))) continue;
      if (field?.map) {
        assert.ok(a !== null && typeof a === 'object', `${path}.${k}: map dropped by the proto`);
        for (const [mk, mv] of Object.entries(v as object))
          assertSubset(mv, (a as Record<string, unknown>)[mk], `${path}.${k}[${mk}]`, messageType(field));
      } else assertSubset(v, a, `${path}.${k}`, messageType(field));
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
  assertSubset(resource, decoded, fullName, t);
}
