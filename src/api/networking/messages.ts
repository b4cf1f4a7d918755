// Messages shared by the networking.istio.io kinds (istio.networking.v1alpha3): StringMatch,
// Percent, PortSelector, Destination, Headers — each with the checks Istio applies wherever it is used.
import { map, num, obj, str, uint32, arr, type Infer } from '../schema/dsl.js';
import { checkPort } from '../common.js';

/** StringMatch: exactly one of exact, prefix or regex (RE2 syntax, checked by the user of the match). */
export const StringMatch = obj(
  { exact: str(), prefix: str(), regex: str() },
  { oneOf: [['exact', 'prefix', 'regex']] },
);
export type StringMatch = Infer<typeof StringMatch>;

/** Percent: a double in 0..100 (Istio: "neither 0.0, nor in range [0.0001, 100.0]"). */
export const Percent = obj({ value: num() }).refine((p, path, sink) => {
  const v = p.value ?? 0;
  if (v < 0 || v > 100 || (v > 0 && v < 0.0001))
    sink.error([...path, 'value'], `percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]`);
});
export type Percent = Infer<typeof Percent>;

/** PortSelector: a port number on the destination service. */
export const PortSelector = obj({ number: uint32() }).refine((p, path, sink) => {
  if (p.number !== undefined) checkPort(p.number, [...path, 'number'], sink);
});
export type PortSelector = Infer<typeof PortSelector>;

/** Destination: a service host, an optional subset of it and an optional port. */
export const Destination = obj({ host: str(), subset: str(), port: PortSelector }, { required: ['host'] });
export type Destination = Infer<typeof Destination>;

/** Headers.HeaderOperations: set, add and remove header names. */
export const HeaderOperations = obj({ set: map(str()), add: map(str()), remove: arr(str()) });
export type HeaderOperations = Infer<typeof HeaderOperations>;

export const Headers = obj({ request: HeaderOperations, response: HeaderOperations });
export type Headers = Infer<typeof Headers>;

/** exportTo: namespaces a resource is visible to ("." this one, "*" all, "~" none for ServiceEntry). */
export const exportTo = () => arr(str());
