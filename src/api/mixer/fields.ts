// Field helpers for Mixer's proto-backed params: jsonpb accepts a field by its proto name
// (instance_name) or JSON name (instanceName), and template fields hold typed expressions.
import { obj, str, type ObjectSchema, type Schema } from '../schema/dsl.js';
import type { ValueType } from './attributes.js';
import { compileMixerExpression } from './expr/compile.js';

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** An object whose snake_case fields are also accepted in camelCase (but not both at once). */
export function pbObj(
  fields: Record<string, Schema<unknown>>,
): ObjectSchema<Record<string, Schema<unknown>>> {
  const all: Record<string, Schema<unknown>> = {};
  const oneOf: string[][] = [];
  for (const [k, s] of Object.entries(fields)) {
    all[k] = s;
    const c = camel(k);
    if (c !== k) {
      all[c] = s;
      oneOf.push([k, c]);
    }
  }
  return obj(all, { oneOf });
}

/** Reads a pbObj field by its proto name, whichever spelling the user chose. */
export function pbGet(v: Record<string, unknown>, protoName: string): unknown {
  return v[protoName] ?? v[camel(protoName)];
}

/** A Mixer expression; with a type, the expression must evaluate to it. */
export const expression = (type?: ValueType): Schema<string> =>
  str().refine((src, path, sink) => {
    const c = compileMixerExpression(src, type);
    if (!c.ok) sink.error(path, c.error);
  });
