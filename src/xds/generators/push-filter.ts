// Which config changes a push carries (PushRequest.configsUpdated keys are `Kind/namespace/name`),
// so generators can skip pushes that cannot change their output (Istio's per-type skipped kinds).
import type { PushRequest } from '../contracts.js';

export interface ConfigRef {
  namespace: string;
  name: string;
}

const kindOf = (key: string): string => key.slice(0, key.indexOf('/'));

/** The changed configs of one kind. */
export function changedConfigs(update: PushRequest, kind: string): ConfigRef[] {
  return [...update.configsUpdated].flatMap((key) => {
    const [k, namespace = '', ...rest] = key.split('/');
    return k === kind ? [{ namespace, name: rest.join('/') }] : [];
  });
}

/** Kinds only SDS reads: a push of nothing else leaves CDS, EDS, LDS and RDS as they are. */
const SDS_ONLY_KINDS = new Set(['Secret']);

/** Whether a full push may change clusters, endpoints, listeners or routes. */
export function affectsNonSecretTypes(update: PushRequest): boolean {
  if (!update.full) return false;
  if (update.configsUpdated.size === 0) return true;
  return [...update.configsUpdated].some((k) => !SDS_ONLY_KINDS.has(kindOf(k)));
}
