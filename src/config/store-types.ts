// The config store's contract, shared by its sources (files, API, Kubernetes) and its readers
// (the xDS push context, analyzers, the debug endpoints).
import type { Resource, SourceRef } from '../api/resource.js';

export interface GroupKind {
  group: string;
  kind: string;
}

export interface ConfigKey extends GroupKind {
  namespace: string;
  name: string;
}

export interface StoredConfig {
  resource: Resource;
  source?: SourceRef;
  /** Store-wide counter at the last change of this object (as a decimal string, like Kubernetes). */
  resourceVersion: string;
  /** Bumped when the body (not metadata) changes. */
  generation: number;
}

export interface ConfigEvent {
  type: 'added' | 'updated' | 'deleted';
  config: StoredConfig;
  previous?: StoredConfig;
}

export interface ConfigStoreReader {
  get(key: ConfigKey): StoredConfig | undefined;
  /** All objects, optionally of one kind and/or namespace, in a stable order. */
  list(gk?: GroupKind, namespace?: string): StoredConfig[];
  /** Subscribes to batched change events (debounced); returns an unsubscribe function. */
  watch(handler: (events: readonly ConfigEvent[]) => void): () => void;
  /** Store-wide version, bumped on every change. */
  readonly version: number;
}
