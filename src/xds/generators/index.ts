// The type URL → generator map (Istio bootstrap/discovery.go): the ADS server looks up a generator
// by the type URL a proxy asks for. Each generator handles sidecars, routers and proxyless gRPC.
import type { Generator } from '../contracts.js';
import type { PushContext } from '../push-context.js';
import { cds } from './cds.js';
import { eds } from './eds.js';
import { lds } from './lds.js';
import { rds } from './rds.js';
import { sds } from './sds.js';
import { proxyScope } from './scope.js';

export const generators: ReadonlyMap<string, Generator<PushContext>> = new Map<
  string,
  Generator<PushContext>
>([cds, eds, lds, rds, sds].map((g) => [g.typeUrl, { ...g, scopeKey: proxyScope }]));

export function generatorFor(typeUrl: string): Generator<PushContext> | undefined {
  return generators.get(typeUrl);
}
