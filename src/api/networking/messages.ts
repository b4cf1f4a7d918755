// Messages shared by the networking.istio.io kinds (istio.networking.v1alpha3): StringMatch,
// Percent, PortSelector, Destination, Headers — each with the checks Istio applies wherever it is used.
import { wildcardDomainError } from '../common.js';
import { arr, map, num, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { checkHeaderOperationName, checkHeaderValue, checkRequestSetName } from './headers.js';

import { checkRegex } from './regex.js';
import { checkPortNumber, checkSubsetName } from './rules.js';

/** StringMatch: exactly one of exact, prefix or regex (RE2, matched against the whole value). */
export const StringMatch = obj(
  { exact: str(), prefix: str(), regex: str() },
  { oneOf: [['exact', 'prefix', 'regex']] },
);
export type StringMatch = Infer<typeof StringMatch>;

/**
 * Istio's validateStringMatch: an empty prefix matches nothing useful and a regex must compile.
 * `where` is the field name Istio puts in the message ("uri", "headers", …).
 */
export function checkStringMatch(
  sm: StringMatch | undefined,
  where: string,
  path: Path,
  sink: Sink,
  opts: { allowEmptyPrefix?: boolean } = {},
): void {
  if (!sm) return;
  if (sm.prefix === '' && !opts.allowEmptyPrefix)
    sink.error([...path, 'prefix'], `"${where}": prefix string match should not be empty`);
  if (sm.regex === '') sink.error([...path, 'regex'], `"${where}": regex string match should not be empty`);
  else if (sm.regex !== undefined) checkRegex(sm.regex, where, [...path, 'regex'], sink);
}

/** Percent: a double in 0..100; Envoy cannot express a non-zero value below 0.0001. */
export const Percent = obj({ value: num() }).refine((p, path, sink) => {
  const v = p.value ?? 0;
  if (v < 0 || v > 100 || (v > 0 && v < 0.0001))
    sink.error([...path, 'value'], `percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]`);
});
export type Percent = Infer<typeof Percent>;

/** PortSelector: a port number on the destination service. */
export const PortSelector = obj({ number: uint32() }).refine((p, path, sink) => {
  checkPortNumber(p.number ?? 0, [...path, 'number'], sink);
});
export type PortSelector = Infer<typeof PortSelector>;

/** Destination: a service host (not "*"), an optional subset of it and an optional port. */
export const Destination = obj(
  { host: str(), subset: str(), port: PortSelector },
  { required: ['host'] },
).refine((d, path, sink) => {
  const host = d.host ?? '';
  if (host === '*') sink.error([...path, 'host'], `invalid destination host ${host}`);
  else {
    const e = wildcardDomainError(host);
    if (e) sink.error([...path, 'host'], e);
  }
  if (d.subset !== undefined) checkSubsetName(d.subset, [...path, 'subset'], sink);
});
export type Destination = Infer<typeof Destination>;

/** Headers.HeaderOperations: set, add and remove header names. */
export const HeaderOperations = obj({ set: map(str()), add: map(str()), remove: arr(str()) });
export type HeaderOperations = Infer<typeof HeaderOperations>;

function checkOperations(
  ops: HeaderOperations | undefined,
  isRequest: boolean,
  path: Path,
  sink: Sink,
): void {
  if (!ops) return;
  for (const field of ['set', 'add'] as const) {
    for (const [name, value] of Object.entries(ops[field] ?? {})) {
      const p = [...path, field, name];
      if (isRequest) checkRequestSetName(name, p, sink);
      else checkHeaderOperationName(name, p, sink);
      checkHeaderValue(value, p, sink);
    }
  }
  (ops.remove ?? []).forEach((name, i) => checkHeaderOperationName(name, [...path, 'remove', i], sink));
}

/** Headers: request operations may rewrite the authority; response ones may not touch Host or ":" headers. */
export const Headers = obj({ request: HeaderOperations, response: HeaderOperations }).refine(
  (h, path, sink) => {
    checkOperations(h.request, true, [...path, 'request'], sink);
    checkOperations(h.response, false, [...path, 'response'], sink);
  },
);
export type Headers = Infer<typeof Headers>;

/** exportTo: namespaces a resource is visible to (checked with the resource's namespace, see hosts.ts). */
export const exportTo = () => arr(str());
