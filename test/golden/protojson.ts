// Reads Envoy config written in proto3 JSON/YAML form (camelCase names, "10s" durations, Any with
// '@type', bare wrapper values) into the proto-field-name shape protobufjs encodes, and
// normalises any config by an encode/decode round trip so two configs compare semantically.
import protobuf from 'protobufjs';
import { parseDuration } from '../../src/xds/proto/duration.js';
import { decodeMessage, encodeMessage, lookupType } from '../../src/xds/proto/root.js';

type Json = Record<string, unknown>;

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (t) => `.google.protobuf.${t}Value`,
  ),
);

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function fieldFor(type: protobuf.Type, key: string): protobuf.Field {
  const field =
    type.fields[key] ??
    Object.values(type.fields).find((f) => camel(f.name) === key || f.options?.json_name === key);
  if (!field) throw new Error(`unknown field ${JSON.stringify(key)} in ${type.fullName}`);
  return field.resolve();
}

function convertValue(field: protobuf.Field, value: unknown): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return value;
  // Already in protobufjs shape ({seconds, nanos} / {value}) when checking our own output.
  const isObject = typeof value === 'object' && value !== null;
  if (t.fullName === '.google.protobuf.Duration') return isObject ? value : parseDuration(String(value));
  if (WRAPPERS.has(t.fullName)) return isObject ? value : { value };
  if (t.fullName === '.google.protobuf.Any') {
    const { '@type': url, ...rest } = value as Json;
    const name = String(url).slice(String(url).lastIndexOf('/') + 1);
    return { '@type': url, ...fromProtoJson(lookupType(name), rest) };
  }
  return fromProtoJson(t, value as Json);
}

/** proto3 JSON (camelCase) → protobufjs fromObject shape (proto field names). */
export function fromProtoJson(type: protobuf.Type, json: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(json)) {
    if (value === undefined) continue;
    const field = fieldFor(type, key);
    out[field.name] = field.map
      ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, convertValue(field, v)]))
      : field.repeated
        ? (value as unknown[]).map((v) => convertValue(field, v))
        : convertValue(field, value);
  }
  return out;
}

/**
 * Checks that a config in protobufjs shape is a valid `messageName`: every field exists (protobufjs
 * fromObject would silently drop unknown ones), the message verifies, and it encodes.
 */
export function checkEnvoyMessage(messageName: string, typed: Json): void {
  const { '@type': _url, ...value } = typed;
  const type = lookupType(messageName);
  fromProtoJson(type, value);
  const err = type.verify(type.fromObject(value));
  if (err) throw new Error(`${messageName}: ${err}`);
  encodeMessage(messageName, value);
}

function isDefault(field: protobuf.Field, value: unknown): boolean {
  if (field.resolvedType instanceof protobuf.Enum) return value === field.resolvedType.valuesById[0];
  return value === false || value === 0 || value === '' || value === '0';
}

/**
 * Drops proto3 scalars that hold their default value (protobufjs keeps explicitly set ones), except
 * oneof members, whose presence is meaningful.
 */
function dropDefaults(type: protobuf.Type, obj: Json): Json {
  for (const [key, value] of Object.entries(obj)) {
    if (key === '@type') continue;
    const field = fieldFor(type, key);
    const t = field.resolvedType;
    if (t instanceof protobuf.Type) {
      const each = (v: unknown) => {
        const nested = v as Json;
        const url = nested['@type'];
        dropDefaults(typeof url === 'string' ? lookupType(url.slice(url.lastIndexOf('/') + 1)) : t, nested);
      };
      if (field.map) Object.values(value as Json).forEach(each);
      else if (field.repeated) (value as unknown[]).forEach(each);
      else each(value);
    } else if (!field.repeated && !field.map && !field.partOf && isDefault(field, value)) delete obj[key];
  }
  return obj;
}

/** Encodes and decodes a message so that field order, defaults and Any packing no longer differ. */
export function normalise(messageName: string, value: object): Json {
  return dropDefaults(
    lookupType(messageName),
    decodeMessage<Json>(messageName, encodeMessage(messageName, value)),
  );
}
