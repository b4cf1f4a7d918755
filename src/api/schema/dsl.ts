// A small schema language for Istio's protobuf-JSON resources: one definition gives the
// TypeScript type (Infer<>) and a validator that reports every problem with its field path,
// rejects unknown fields with a "did you mean", and hosts Istio's semantic rules (refine).
import { didYouMean } from './suggest.js';

export type Path = readonly (string | number)[];

export interface Issue {
  severity: 'error' | 'warning';
  /** Field path from the resource root, e.g. ['spec','http',0,'route']. */
  path: Path;
  message: string;
  /** Istio analyzer code (IST0101…) when the rule has one. */
  code?: string;
}

/** Collects issues while a value is checked; rules call error()/warn() with a path. */
export class Sink {
  readonly issues: Issue[] = [];
  error(path: Path, message: string, code?: string): void {
    this.issues.push({ severity: 'error', path, message, ...(code ? { code } : {}) });
  }
  warn(path: Path, message: string, code?: string): void {
    this.issues.push({ severity: 'warning', path, message, ...(code ? { code } : {}) });
  }
  get ok(): boolean {
    return !this.issues.some((i) => i.severity === 'error');
  }
}

export type Rule<T> = (value: T, path: Path, sink: Sink) => void;

export abstract class Schema<T> {
  declare readonly _type: T;
  // Stored loosely so Schema<T> stays covariant in T (a Schema<string> is a Schema<unknown>).
  protected rules: Rule<any>[] = [];
  /** Human name of the expected type, used in messages. */
  abstract readonly typeName: string;
  /** Checks shape; returns true when later rules may run on the value. */
  protected abstract checkShape(value: unknown, path: Path, sink: Sink): boolean;

  check(value: unknown, path: Path, sink: Sink): void {
    if (!this.checkShape(value, path, sink)) return;
    for (const r of this.rules) r(value as T, path, sink);
  }
  /** Adds a semantic rule run after the shape is valid. Returns this for chaining. */
  refine(rule: Rule<T>): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(copy, this);
    copy.rules = [...this.rules, rule];
    return copy;
  }
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function typeError(path: Path, sink: Sink, expected: string, v: unknown): false {
  sink.error(
    path,
    `must be of type ${expected}, got ${typeOf(v)}${v === null ? '' : ` ${JSON.stringify(v)?.slice(0, 40) ?? ''}`}`,
  );
  return false;
}

export interface StringOpts {
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  patternHint?: string;
}

class StringSchema<T extends string = string> extends Schema<T> {
  readonly typeName = 'string';
  constructor(private opts: StringOpts = {}) {
    super();
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    if (typeof v !== 'string') return typeError(path, sink, 'string', v);
    const o = this.opts;
    if (o.minLength !== undefined && v.length < o.minLength)
      sink.error(path, `should be at least ${o.minLength} chars long`);
    if (o.maxLength !== undefined && v.length > o.maxLength)
      sink.error(path, `should be at most ${o.maxLength} chars long`);
    if (o.pattern && !o.pattern.test(v))
      sink.error(path, `should match ${o.patternHint ?? String(o.pattern)}: ${JSON.stringify(v)}`);
    return true;
  }
}

export interface NumberOpts {
  min?: number;
  max?: number;
  exclusiveMin?: number;
  integer?: boolean;
  /** protobuf JSON lets 64-bit integers and wrappers arrive as strings. */
  allowString?: boolean;
}

class NumberSchema extends Schema<number> {
  readonly typeName: string;
  constructor(private opts: NumberOpts = {}) {
    super();
    this.typeName = opts.integer ? 'integer' : 'number';
  }
  protected checkShape(raw: unknown, path: Path, sink: Sink): boolean {
    let v = raw;
    if (typeof v === 'string' && this.opts.allowString && v.trim() !== '' && !Number.isNaN(Number(v)))
      v = Number(v);
    if (typeof v !== 'number' || Number.isNaN(v)) return typeError(path, sink, this.typeName, raw);
    const o = this.opts;
    if (o.integer && !Number.isInteger(v)) {
      sink.error(path, `must be an integer, got ${v}`);
      return false;
    }
    if (o.min !== undefined && v < o.min)
      sink.error(path, `must be greater than or equal to ${o.min}, got ${v}`);
    if (o.exclusiveMin !== undefined && v <= o.exclusiveMin)
      sink.error(path, `must be greater than ${o.exclusiveMin}, got ${v}`);
    if (o.max !== undefined && v > o.max)
      sink.error(path, `must be less than or equal to ${o.max}, got ${v}`);
    return true;
  }
}

class BoolSchema extends Schema<boolean> {
  readonly typeName = 'boolean';
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    return typeof v === 'boolean' || typeError(path, sink, 'boolean', v);
  }
}

class EnumSchema<T extends string> extends Schema<T> {
  readonly typeName: string;
  constructor(readonly values: readonly T[]) {
    super();
    this.typeName = `one of ${values.join(', ')}`;
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    if (typeof v !== 'string') return typeError(path, sink, 'string', v);
    if (!(this.values as readonly string[]).includes(v)) {
      const hint = didYouMean(v, this.values);
      sink.error(
        path,
        `Unsupported value: ${JSON.stringify(v)}: supported values: ${this.values.map((x) => `"${x}"`).join(', ')}${hint}`,
      );
      return false;
    }
    return true;
  }
}

export interface ArrayOpts {
  minItems?: number;
  maxItems?: number;
  /** Items must be distinct (Kubernetes "Duplicate value"). */
  unique?: boolean;
}

class ArraySchema<T> extends Schema<T[]> {
  readonly typeName: string;
  constructor(
    readonly item: Schema<T>,
    private opts: ArrayOpts = {},
  ) {
    super();
    this.typeName = `array of ${item.typeName}`;
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    if (!Array.isArray(v)) return typeError(path, sink, 'array', v);
    const o = this.opts;
    if (o.minItems !== undefined && v.length < o.minItems)
      sink.error(path, `should have at least ${o.minItems} item${o.minItems === 1 ? '' : 's'}`);
    if (o.maxItems !== undefined && v.length > o.maxItems)
      sink.error(path, `should have at most ${o.maxItems} items`);
    const seen = new Set<string>();
    v.forEach((item, i) => {
      this.item.check(item, [...path, i], sink);
      if (o.unique) {
        const key = JSON.stringify(item);
        if (seen.has(key)) sink.error([...path, i], `Duplicate value: ${key}`);
        seen.add(key);
      }
    });
    return true;
  }
}

class MapSchema<T> extends Schema<Record<string, T>> {
  readonly typeName: string;
  constructor(
    readonly value: Schema<T>,
    private key?: Schema<string>,
    private opts: { minProperties?: number } = {},
  ) {
    super();
    this.typeName = `map of ${value.typeName}`;
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return typeError(path, sink, 'object', v);
    const entries = Object.entries(v);
    if (this.opts.minProperties !== undefined && entries.length < this.opts.minProperties)
      sink.error(path, `should have at least ${this.opts.minProperties} properties`);
    for (const [k, item] of entries) {
      this.key?.check(k, [...path, k], sink);
      this.value.check(item, [...path, k], sink);
    }
    return true;
  }
}

type Fields = Record<string, Schema<unknown>>;
export type InferFields<F extends Fields> = { [K in keyof F]?: Infer<F[K]> };

export interface ObjectOpts<F extends Fields> {
  required?: readonly (keyof F & string)[];
  /** Protobuf oneofs: at most one of each group may be set. */
  oneOf?: readonly (readonly (keyof F & string)[])[];
  /** Accept fields not listed (google.protobuf.Struct-like bodies). */
  open?: boolean;
  minProperties?: number;
}

export class ObjectSchema<F extends Fields> extends Schema<InferFields<F>> {
  readonly typeName = 'object';
  constructor(
    readonly fields: F,
    readonly opts: ObjectOpts<F> = {},
  ) {
    super();
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return typeError(path, sink, 'object', v);
    const rec = v as Record<string, unknown>;
    const keys = Object.keys(rec);
    if (this.opts.minProperties !== undefined && keys.length < this.opts.minProperties)
      sink.error(path, `should have at least ${this.opts.minProperties} properties`);
    const known = Object.keys(this.fields);
    let shapeOk = true;
    for (const k of keys) {
      const f = this.fields[k];
      if (!f) {
        if (this.opts.open) continue;
        sink.error([...path, k], `unknown field "${k}"${didYouMean(k, known)}`);
        shapeOk = false;
        continue;
      }
      if (rec[k] === null && f.typeName !== 'any') {
        // protobuf JSON: null means unset — but a required field set to null is a type error, as the API server says.
        if (this.opts.required?.includes(k)) {
          sink.error([...path, k], `must be of type ${f.typeName}: "null"`);
          shapeOk = false;
        }
        continue;
      }
      const before = sink.issues.length;
      f.check(rec[k], [...path, k], sink);
      if (sink.issues.slice(before).some((i) => i.severity === 'error')) shapeOk = false;
    }
    for (const r of this.opts.required ?? []) {
      if (rec[r] === undefined) {
        sink.error([...path, r], 'Required value');
        shapeOk = false;
      }
    }
    for (const group of this.opts.oneOf ?? []) {
      const set = group.filter((g) => rec[g] !== undefined && rec[g] !== null);
      if (set.length > 1) {
        sink.error(path, `only one of ${group.join(', ')} may be set (got ${set.join(' and ')})`);
        shapeOk = false;
      }
    }
    return shapeOk;
  }
  /** A copy with more fields (for kinds that extend another message). */
  extend<G extends Fields>(more: G, opts: ObjectOpts<F & G> = {}): ObjectSchema<F & G> {
    return new ObjectSchema(
      { ...this.fields, ...more } as F & G,
      { ...this.opts, ...opts } as ObjectOpts<F & G>,
    );
  }
}

class AnySchema extends Schema<unknown> {
  readonly typeName = 'any';
  protected checkShape(): boolean {
    return true;
  }
}

class LazySchema<T> extends Schema<T> {
  readonly typeName = 'object';
  private resolved?: Schema<T>;
  constructor(private thunk: () => Schema<T>) {
    super();
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    this.resolved ??= this.thunk();
    const before = sink.issues.length;
    this.resolved.check(v, path, sink);
    return !sink.issues.slice(before).some((i) => i.severity === 'error');
  }
}

class UnionSchema<T> extends Schema<T> {
  readonly typeName: string;
  constructor(private options: Schema<unknown>[]) {
    super();
    this.typeName = options.map((o) => o.typeName).join(' or ');
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    let best: Sink | undefined;
    for (const o of this.options) {
      const s = new Sink();
      o.check(v, path, s);
      if (s.ok) {
        sink.issues.push(...s.issues);
        return true;
      }
      if (!best || s.issues.length < best.issues.length) best = s;
    }
    sink.issues.push(...(best?.issues ?? []));
    return false;
  }
}

// Duration as protobuf JSON writes it: "1.5s", and also Go-style "100ms", "1m", "1h30m" that
// Istio's CRD validation accepts.
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+$/;
const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** Parses a duration string to seconds, or undefined when malformed. */
export function parseDuration(s: string): number | undefined {
  if (!DURATION_RE.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total;
}

export interface DurationOpts {
  /** Minimum in seconds (inclusive) — Istio's "must be a valid duration greater than 1ms". */
  min?: number;
  minHint?: string;
}

class DurationSchema extends Schema<string> {
  readonly typeName = 'duration';
  constructor(private opts: DurationOpts = {}) {
    super();
  }
  protected checkShape(v: unknown, path: Path, sink: Sink): boolean {
    if (typeof v !== 'string') return typeError(path, sink, 'duration string', v);
    const secs = parseDuration(v);
    if (secs === undefined) {
      const bound =
        this.opts.min !== undefined ? ` greater than ${this.opts.minHint ?? `${this.opts.min}s`}` : '';
      sink.error(
        path,
        `must be a valid duration${bound}, got ${JSON.stringify(v)} (a number with a unit: "1s", "500ms", "1m")`,
      );
      return false;
    }
    if (this.opts.min !== undefined && secs < this.opts.min)
      sink.error(
        path,
        `must be a valid duration greater than ${this.opts.minHint ?? `${this.opts.min}s`}, got ${v}`,
      );
    return true;
  }
}

export const str = <T extends string = string>(opts?: StringOpts): Schema<T> => new StringSchema<T>(opts);
export const num = (opts?: NumberOpts): Schema<number> => new NumberSchema(opts);
export const int = (opts?: Omit<NumberOpts, 'integer'>): Schema<number> =>
  new NumberSchema({ ...opts, integer: true });
/** uint32 / UInt32Value / int64 in protobuf JSON: a number or a numeric string. */
export const uint32 = (opts?: Omit<NumberOpts, 'integer'>): Schema<number> =>
  new NumberSchema({ min: 0, max: 4294967295, allowString: true, ...opts, integer: true });
export const int64 = (opts?: Omit<NumberOpts, 'integer'>): Schema<number> =>
  new NumberSchema({ allowString: true, ...opts, integer: true });
export const bool = (): Schema<boolean> => new BoolSchema();
export const enumOf = <const T extends string>(values: readonly T[]): Schema<T> => new EnumSchema(values);
export const arr = <T>(item: Schema<T>, opts?: ArrayOpts): Schema<T[]> => new ArraySchema(item, opts);
export const map = <T>(
  value: Schema<T>,
  key?: Schema<string>,
  opts?: { minProperties?: number },
): Schema<Record<string, T>> => new MapSchema(value, key, opts);
export const obj = <F extends Fields>(fields: F, opts?: ObjectOpts<F>): ObjectSchema<F> =>
  new ObjectSchema(fields, opts);
export const any = (): Schema<unknown> => new AnySchema();
export const lazy = <T>(thunk: () => Schema<T>): Schema<T> => new LazySchema(thunk);
export const union = <S extends Schema<unknown>[]>(...options: S): Schema<Infer<S[number]>> =>
  new UnionSchema<Infer<S[number]>>(options);
export const duration = (opts?: DurationOpts): Schema<string> => new DurationSchema(opts);
/** google.protobuf.Struct: any JSON object. */
export const struct = (): Schema<Record<string, unknown>> => map(any());

/** Renders a path as Kubernetes does: spec.http[0].route[1].weight */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}
