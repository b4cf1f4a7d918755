// EDS (Istio pilot/pkg/xds/eds.go): one ClusterLoadAssignment per EDS cluster the proxy subscribed to;
// endpoint-only pushes send just the assignments of services whose endpoints changed.
import type { Generator, ProxyInfo, PushRequest, XdsResource } from '../contracts.js';
import type { PushContext } from '../push-context.js';
import { TypeUrl } from '../type-urls.js';
import { affectsNonSecretTypes } from './push-filter.js';
import { buildClusters } from './cds.js';
import { parseClusterName } from './common.js';
import { loadAssignment } from './endpoint/load-assignment.js';

function edsClusterNames(proxy: ProxyInfo, push: PushContext): string[] {
  return buildClusters(proxy, push)
    .filter((c) => (c as { type?: string }).type === 'EDS')
    .map((c) => (c as { name: string }).name);
}

export const eds: Generator<PushContext> = {
  typeUrl: TypeUrl.ClusterLoadAssignment,
  generate({ proxy, push, names, update }): XdsResource[] {
    let wanted = names ?? edsClusterNames(proxy, push);
    if (update && !update.full)
      wanted = wanted.filter((n) => update.edsUpdates.has(parseClusterName(n)?.host ?? ''));
    return wanted.flatMap((name) => {
      const cla = loadAssignment(proxy, push, name);
      return cla ? [{ name, resource: cla }] : [];
    });
  },
  needsPush(_proxy: ProxyInfo, update: PushRequest): boolean {
    return affectsNonSecretTypes(update) || update.edsUpdates.size > 0;
  },
};
