// The Kubernetes-style envelope every Istio and Kubernetes resource shares, and where it came from.
import type { Path } from './schema/dsl.js';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
  creationTimestamp?: string;
  [extra: string]: unknown;
}

export interface Resource<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  [extra: string]: unknown;
}

/** Where a resource was read from: file and 1-based line, and a way to find a field's line. */
export interface SourceRef {
  file: string;
  line: number;
  /** Line of the YAML node at a path inside the document, if the document is still known. */
  locate?: (path: Path) => number | undefined;
}

export interface Loaded<Spec = unknown> {
  resource: Resource<Spec>;
  source: SourceRef;
}

/** `group/version` split; the core group is ''. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** kind/namespace/name, as messages name a resource. */
export function resourceId(r: Pick<Resource, 'kind' | 'metadata'>): string {
  const ns = r.metadata?.namespace;
  return `${r.kind} ${ns ? `${ns}/` : ''}${r.metadata?.name ?? '<unnamed>'}`;
}
