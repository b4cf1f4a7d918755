// What makes the control plane push (Pilot's config and registry event handlers): a config
// change is a full push; a registry change is full when services changed and EDS-only when only
// endpoints did. Kinds that feed the registries are left to the registries, so that an endpoint
// edit (a WorkloadEntry, Endpoints) stays an endpoint-only push.
import type { ConfigStoreReader } from '../config/store-types.js';
import type { ServiceDiscovery } from '../registry/model.js';
import type { PushRequest } from '../xds/contracts.js';

const REGISTRY_KINDS = new Set([
  'networking.istio.io/ServiceEntry',
  'networking.istio.io/WorkloadEntry',
  '/Service',
  '/Endpoints',
  '/Pod',
]);

export function watchForPushes(
  store: ConfigStoreReader,
  registry: ServiceDiscovery,
  push: (req: PushRequest) => void,
  now: () => number,
): () => void {
  const offStore = store.watch((events) => {
    const keys = events
      .map((e) => e.config.resource)
      .filter((r) => !REGISTRY_KINDS.has(`${groupOf(r.apiVersion)}/${r.kind}`))
      .map((r) => `${r.kind}/${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`);
    if (keys.length === 0) return;
    push({
      full: true,
      configsUpdated: new Set(keys),
      edsUpdates: new Set(),
      reasons: ['config'],
      start: now(),
    });
  });
  const offRegistry = registry.subscribe((change) =>
    push({
      full: change.kind === 'full',
      configsUpdated: new Set(change.kind === 'full' ? change.hosts.map((h) => `ServiceEntry//${h}`) : []),
      edsUpdates: new Set(change.hosts),
      reasons: [change.reason],
      start: now(),
    }),
  );
  return () => {
    offStore();
    offRegistry();
  };
}

const groupOf = (apiVersion: string | undefined): string =>
  apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
