// Validates a loaded resource against its kind: envelope, metadata, schema and Istio's rules.
// Every problem comes back as a Diagnostic naming file:line, resource, field path and rule.
import { isDns1123Label, isDns1123Subdomain, labelKeyError, labelValueError } from './common.js';
import { allKinds, lookupKind, type KindDef } from './registry.js';
import { resourceId, splitApiVersion, type Loaded, type Resource } from './resource.js';
import { formatPath, Sink, type Issue } from './schema/dsl.js';
import { didYouMean } from './schema/suggest.js';
import type { Diagnostic } from '../config/diagnostics.js';
import './kinds.js';

const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata', 'status']);

function checkMetadata(res: Resource, def: KindDef, sink: Sink): void {
  const md = res.metadata as unknown;
  if (typeof md !== 'object' || md === null || Array.isArray(md)) {
    sink.error(['metadata'], 'Required value: metadata must be an object with a name');
    return;
  }
  const m = res.metadata;
  if (typeof m.name !== 'string' || m.name === '') {
    if (!m.generateName) sink.error(['metadata', 'name'], 'Required value: name or generateName is required');
  } else if (
    !isDns1123Subdomain(m.name) &&
    !(def.group === '' && def.kind === 'Namespace' ? isDns1123Label(m.name) : false)
  ) {
    sink.error(
      ['metadata', 'name'],
      `Invalid value ${JSON.stringify(m.name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
  if (m.namespace !== undefined && (typeof m.namespace !== 'string' || !isDns1123Label(m.namespace)))
    sink.error(
      ['metadata', 'namespace'],
      `Invalid value ${JSON.stringify(m.namespace)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    );
  for (const field of ['labels', 'annotations'] as const) {
    const v = m[field] as unknown;
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) {
      sink.error(['metadata', field], 'must be a map of strings');
      continue;
    }
    for (const [k, val] of Object.entries(v)) {
      const ke = labelKeyError(k);
      if (ke) sink.error(['metadata', field, k], ke);
      if (typeof val !== 'string')
        sink.error(['metadata', field, k], `value must be a string, got ${typeof val}`);
      else if (field === 'labels') {
        const ve = labelValueError(val);
        if (ve) sink.error(['metadata', field, k], ve);
      }
    }
  }
}

/** Checks one resource; returns its issues (paths relative to the resource root). */
export function checkResource(res: Resource): Issue[] {
  const sink = new Sink();
  if (typeof res.apiVersion !== 'string' || res.apiVersion === '')
    sink.error(['apiVersion'], 'Required value');
  if (typeof res.kind !== 'string' || res.kind === '') sink.error(['kind'], 'Required value');
  if (!sink.ok) return sink.issues;
  const { group, version } = splitApiVersion(res.apiVersion);
  const def = lookupKind(group, res.kind);
  if (!def) {
    const sameKind = allKinds().filter((k) => k.kind === res.kind);
    if (sameKind.length > 0) {
      sink.error(
        ['apiVersion'],
        `no kind ${res.kind} in group ${JSON.stringify(group)}; it is served by ${sameKind.map((k) => `${k.group ? `${k.group}/` : ''}${k.versions.join('|')}`).join(', ')}`,
      );
    } else {
      const inGroup = allKinds()
        .filter((k) => k.group === group)
        .map((k) => k.kind);
      sink.error(
        ['kind'],
        `unknown kind ${JSON.stringify(res.kind)} for apiVersion ${res.apiVersion}${didYouMean(res.kind, inGroup.length ? inGroup : allKinds().map((k) => k.kind))}`,
      );
    }
    return sink.issues;
  }
  if (!def.versions.includes(version))
    sink.error(
      ['apiVersion'],
      `version ${JSON.stringify(version)} is not served for ${def.kind}; use ${def.versions.map((v) => `${def.group ? `${def.group}/` : ''}${v}`).join(' or ')}`,
    );
  checkMetadata(res, def, sink);
  const known = Object.keys(def.body);
  for (const [k, v] of Object.entries(res)) {
    if (ENVELOPE.has(k)) continue;
    const schema = def.body[k];
    if (!schema) {
      sink.error([k], `unknown field "${k}"${didYouMean(k, known)}`);
      continue;
    }
    if (v === null && k === 'spec') {
      sink.error([k], 'spec in body must be of type object: "null"');
      continue;
    }
    schema.check(v, [k], sink);
  }
  for (const r of def.required ?? []) if (res[r] === undefined) sink.error([r], 'Required value');
  if (sink.ok && def.validate) def.validate(res, sink);
  return sink.issues;
}

/** Validates a loaded resource and renders its issues as diagnostics with file:line. */
export function validateLoaded(l: Loaded): Diagnostic[] {
  const id = resourceId(l.resource);
  return checkResource(l.resource).map((i) => ({
    severity: i.severity,
    file: l.source.file,
    line: l.source.locate?.(i.path) ?? l.source.line,
    resource: id,
    path: formatPath(i.path),
    message: i.message,
    ...(i.code ? { code: i.code } : {}),
  }));
}
