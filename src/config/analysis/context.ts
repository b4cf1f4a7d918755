// What analyzers see (Istio's analysis.Context): the validated input by kind, name resolution as
// Pilot does it (short host → FQDN in the resource's namespace), the workloads the input would
// run, and a report() that pins each message to its resource, file and line.
import { lookupKind } from '../../api/registry.js';
import { splitApiVersion, type Loaded, type Resource, type SourceRef } from '../../api/resource.js';
import type { Path } from '../../api/schema/dsl.js';
import type { Level, MessageType } from './messages.js';

export interface Item {
  res: Resource;
  /** The resource's namespace ('' for cluster-scoped kinds, 'default' when it names none). */
  ns: string;
  name: string;
  source?: SourceRef;
}

export interface AnalysisMessage {
  code: string;
  name: string;
  level: Level;
  message: string;
  /** istioctl's origin: "Kind namespace/name". */
  origin?: string;
  file?: string;
  line?: number;
}

/** A set of pods: a Deployment's template, a Pod, or a workload `weft up` always runs. */
export interface Workload {
  namespace: string;
  labels: Record<string, string>;
}

export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The ingress gateway `weft up` runs (DESIGN.md §3), as a cluster's istio-ingressgateway would be. */
const BUILTIN_WORKLOADS: readonly Workload[] = [
  { namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
];

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Pilot's resolution of a host written in namespace `ns`: "svc" and "svc.ns" become FQDNs. */
export function resolveHost(host: string, ns: string): string {
  if (host.includes('*') || host.endsWith(`.${CLUSTER_DOMAIN}`)) return host;
  const dots = host.split('.').length - 1;
  if (dots === 0) return `${host}.${ns}.${CLUSTER_DOMAIN}`;
  if (dots === 1) return `${host}.${CLUSTER_DOMAIN}`;
  return host;
}

/** Whether a host (possibly "*.x" or "*") covers a concrete name. */
export function hostMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return name.endsWith(pattern.slice(1));
  return pattern === name;
}

export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Kubernetes' labels.Set String(): sorted key=value pairs joined by commas. */
export function selectorString(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k]}`)
    .join(',');
}

export class AnalysisContext {
  readonly messages: AnalysisMessage[] = [];
  private byKind = new Map<string, Item[]>();

  constructor(loaded: readonly Loaded[]) {
    for (const l of loaded) {
      const { group } = splitApiVersion(l.resource.apiVersion);
      const namespaced = lookupKind(group, l.resource.kind)?.namespaced ?? true;
      const item: Item = {
        res: l.resource,
        ns: namespaced ? l.resource.metadata.namespace || 'default' : '',
        name: l.resource.metadata.name ?? '',
        source: l.source,
      };
      const k = `${group}/${l.resource.kind}`;
      this.byKind.set(k, [...(this.byKind.get(k) ?? []), item]);
    }
  }

  of(group: string, kind: string): readonly Item[] {
    return this.byKind.get(`${group}/${kind}`) ?? [];
  }

  /** Every item of a group, whatever its kind (Mixer's legacy kinds). */
  ofGroup(group: string): Item[] {
    return [...this.byKind].filter(([k]) => k.slice(0, k.lastIndexOf('/')) === group).flatMap(([, v]) => v);
  }

  /** Hosts of the Kubernetes Services in the input, as FQDNs. */
  serviceHosts(): Map<string, Item> {
    return new Map(this.of('', 'Service').map((s) => [`${s.name}.${s.ns}.${CLUSTER_DOMAIN}`, s]));
  }

  workloads(): Workload[] {
    const out: Workload[] = [...BUILTIN_WORKLOADS];
    for (const kind of POD_TEMPLATE_KINDS)
      for (const d of this.of('apps', kind).concat(this.of('batch', kind))) {
        const labels = (d.res.spec as { template?: { metadata?: { labels?: Record<string, string> } } })
          ?.template?.metadata?.labels;
        if (labels) out.push({ namespace: d.ns, labels });
      }
    for (const p of this.of('', 'Pod')) out.push({ namespace: p.ns, labels: p.res.metadata.labels ?? {} });
    return out;
  }

  report<A extends unknown[]>(item: Item, type: MessageType<A>, args: A, path?: Path): void {
    const line = (path && item.source?.locate?.(path)) || item.source?.line;
    this.messages.push({
      code: type.code,
      name: type.name,
      level: type.level,
      message: type.render(...args),
      origin: `${item.res.kind} ${item.ns ? `${item.ns}/` : ''}${item.name}`,
      ...(item.source ? { file: item.source.file } : {}),
      ...(line ? { line } : {}),
    });
  }
}

export interface Analyzer {
  /** Istio's analyzer name, e.g. virtualservice.GatewayAnalyzer. */
  name: string;
  analyze(ctx: AnalysisContext): void;
}
