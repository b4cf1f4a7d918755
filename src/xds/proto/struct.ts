// google.protobuf.Struct and Value as protobufjs decodes them (camelCase or the proto's own
// snake_case field names, `kind` oneof marker or not) → plain JSON: node metadata, filter
// configs in TypedStructs and ext_authz dynamic metadata all arrive this way.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function structToPlain(s: unknown): Record<string, unknown> {
  const fields = isRecord(s) && isRecord(s.fields) ? s.fields : {};
  return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, valueToPlain(x)]));
}

export function valueToPlain(v: unknown): unknown {
  if (!isRecord(v)) return v;
  const kind = v.kind;
  for (const [key, val] of Object.entries(v)) {
    if (kind !== undefined && key !== kind && key !== 'kind') continue;
    switch (key) {
      case 'string_value':
      case 'stringValue':
      case 'bool_value':
      case 'boolValue':
      case 'number_value':
      case 'numberValue':
        return val;
      case 'null_value':
      case 'nullValue':
        return null;
      case 'struct_value':
      case 'structValue':
        return structToPlain(val);
      case 'list_value':
      case 'listValue':
        return ((val as { values?: unknown[] }).values ?? []).map(valueToPlain);
    }
  }
  return v;
}
