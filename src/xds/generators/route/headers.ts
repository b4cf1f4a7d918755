// VirtualService headers (request/response set, add, remove) → Envoy header mutations on a route
// or weighted cluster; `set` overwrites, `add` appends.
import type { HeaderOperations, Headers } from '../../../registry/specs.js';

function toAdd(ops: HeaderOperations | undefined): object[] {
  const out: object[] = [];
  for (const [key, value] of Object.entries(ops?.set ?? {}))
    out.push({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  for (const [key, value] of Object.entries(ops?.add ?? {}))
    out.push({ header: { key, value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' });
  return out;
}

/** Fields for a Route or a WeightedCluster.ClusterWeight; empty when nothing changes. */
export function headerMutations(
  h: Headers | undefined,
  legacy?: { appendHeaders?: Record<string, string>; removeResponseHeaders?: string[] },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const reqAdd = [...toAdd(h?.request), ...toAdd({ add: legacy?.appendHeaders ?? {} })];
  const resAdd = toAdd(h?.response);
  const resRemove = [...(h?.response?.remove ?? []), ...(legacy?.removeResponseHeaders ?? [])];
  if (reqAdd.length > 0) out.request_headers_to_add = reqAdd;
  if (h?.request?.remove?.length) out.request_headers_to_remove = h.request.remove;
  if (resAdd.length > 0) out.response_headers_to_add = resAdd;
  if (resRemove.length > 0) out.response_headers_to_remove = resRemove;
  return out;
}
