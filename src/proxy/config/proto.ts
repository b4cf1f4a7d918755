// Envoy config as written by users (proto3 JSON / YAML: "5s" durations, bare wrapper values,
// Any with "@type", Struct) → the canonical decoded shape that xDS resources also have
// (protobufjs toObject with proto field names). Unknown fields are errors with a field path.
import protobuf from 'protobufjs';
import { CONVERSION, lookupType } from '../../xds/proto/root.js';
import { messageName } from '../../xds/type-urls.js';

/** A config error carrying the field path it applies to. */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

/** Plain JSON-shaped proto message (boundary type; parsed into domain models right away). */
export type Msg = Record<string, any>;

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (w) => `.google.protobuf.${w}Value`,
  ),
);

export function parseDurationString(s: string, path: string): { seconds: number; nanos: number } {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?s$/.exec(s.trim());
  if (!m) throw new ConfigError(path, `invalid duration "${s}"`);
  const nanos = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  return { seconds: Number(m[1]), nanos };
}

// google.protobuf.Value's fields are camelCase in the proto root; snake_case keys were dropped.
function toValue(v: unknown): Msg {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Msg) };
}

function toStruct(o: Msg): Msg {
  const fields: Msg = {};
  for (const [k, v] of Object.entries(o)) fields[k] = toValue(v);
  return { fields };
}

function normalizeField(field: protobuf.Field, v: unknown, path: string): unknown {
  const rt = field.resolvedType;
  if (!(rt instanceof protobuf.Type)) return v;
  const full = rt.fullName;
  if (full === '.google.protobuf.Duration' && typeof v === 'string') return parseDurationString(v, path);
  if (WRAPPERS.has(full) && (typeof v !== 'object' || v === null)) return { value: v };
  if (full === '.google.protobuf.Struct') return toStruct((v ?? {}) as Msg);
  if (full === '.google.protobuf.Value') return toValue(v);
  if (full === '.google.protobuf.Any') return packAnyJson(v as Msg, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError(path, `expected an object for ${full.slice(1)}`);
  return normalizeMessage(rt, v as Msg, path);
}

function packAnyJson(v: Msg, path: string): Msg {
  const url = v['@type'];
  if (typeof url !== 'string') throw new ConfigError(path, 'Any without "@type"');
  let t: protobuf.Type;
  try {
    t = lookupType(messageName(url));
  } catch {
    throw new ConfigError(path, `unknown type "${url}"`);
  }
  const rest: Msg = { ...v };
  delete rest['@type'];
  const norm = normalizeMessage(t, rest, path);
  return { type_url: url, value: t.encode(fromObjectChecked(t, norm, path)).finish() };
}

function normalizeMessage(t: protobuf.Type, obj: Msg, path: string): Msg {
  const out: Msg = {};
  for (const [k, v] of Object.entries(obj)) {
    const field = t.fields[k];
    const fp = path ? `${path}.${k}` : k;
    if (!field) throw new ConfigError(fp, `unknown field in ${t.fullName.slice(1)}`);
    field.resolve();
    if (v === null || v === undefined) continue;
    if (field.map) {
      const m: Msg = {};
      for (const [mk, mv] of Object.entries(v as Msg)) m[mk] = normalizeField(field, mv, `${fp}[${mk}]`);
      out[k] = m;
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw new ConfigError(fp, 'expected a list');
      out[k] = v.map((e, i) => normalizeField(field, e, `${fp}[${i}]`));
    } else {
      out[k] = normalizeField(field, v, fp);
    }
  }
  return out;
}

function fromObjectChecked(t: protobuf.Type, obj: Msg, path: string): protobuf.Message {
  try {
    const m = t.fromObject(obj);
    const err = t.verify(m);
    if (err) throw new Error(err);
    return m;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(path, (e as Error).message.replace(/^\.?[\w.]+: /, ''));
  }
}

/** Proto3 JSON (as in an Envoy YAML/JSON file) of message `typeName` → canonical decoded shape. */
export function parseProtoJson(typeName: string, json: Msg): Msg {
  const t = lookupType(typeName);
  const m = fromObjectChecked(t, normalizeMessage(t, json, ''), '');
  return t.toObject(m, CONVERSION) as Msg;
}

/** Duration in its decoded shape ({seconds, nanos}) → milliseconds; undefined when absent. */
export function durationMs(d: Msg | undefined | null): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds ?? 0) * 1000 + Math.round(Number(d.nanos ?? 0) / 1e6);
}

/** A wrapper value ({value}) or undefined. */
export function wrapped<T>(w: { value?: T } | undefined | null): T | undefined {
  return w?.value;
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000 };

/** FractionalPercent ({numerator, denominator}) → probability in [0, 1]; `dflt` when absent. */
export function fraction(p: Msg | undefined | null, dflt = 0): number {
  if (!p) return dflt;
  return Math.min(1, Number(p.numerator ?? 0) / (DENOMINATORS[p.denominator ?? 'HUNDRED'] ?? 100));
}

export { structToPlain } from '../../xds/proto/struct.js';
