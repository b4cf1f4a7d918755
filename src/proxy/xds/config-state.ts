// What the main context has accepted, per resource type, with versions and update times:
// the source for /config_dump and for full snapshots handed to (re)started workers.
import type { Msg } from '../config/proto.js';
import type { ConfigUpdate } from '../worker.js';

export interface Versioned {
  resource: Msg;
  version: string;
  updated: string;
}

export class ConfigState {
  readonly bootstrap: Msg;
  readonly bootstrapUpdated = new Date().toISOString();
  staticClusters: Versioned[] = [];
  staticListeners: Versioned[] = [];
  dynamicClusters = new Map<string, Versioned>();
  dynamicListeners = new Map<string, Versioned>();
  routes = new Map<string, Versioned>();
  assignments = new Map<string, Versioned>();
  cdsVersion = '';
  ldsVersion = '';

  constructor(bootstrap: Msg) {
    this.bootstrap = bootstrap;
    const now = this.bootstrapUpdated;
    const sr = bootstrap.static_resources ?? {};
    this.staticClusters = ((sr.clusters ?? []) as Msg[]).map((c) => ({
      resource: c,
      version: '',
      updated: now,
    }));
    this.staticListeners = ((sr.listeners ?? []) as Msg[]).map((l) => ({
      resource: l,
      version: '',
      updated: now,
    }));
  }

  /** Replaces a SotW set, keeping last_updated for resources that did not change. */
  static replace(map: Map<string, Versioned>, resources: Msg[], version: string): Map<string, Versioned> {
    const now = new Date().toISOString();
    const next = new Map<string, Versioned>();
    for (const r of resources) {
      const name = (r.name ?? r.cluster_name) as string;
      const prev = map.get(name);
      next.set(
        name,
        prev && JSON.stringify(prev.resource) === JSON.stringify(r)
          ? prev
          : { resource: r, version, updated: now },
      );
    }
    return next;
  }

  /** Every update a fresh worker needs, in Envoy's initialization order. */
  fullSnapshot(): ConfigUpdate[] {
    const out: ConfigUpdate[] = [
      { kind: 'clusters', clusters: this.staticClusters.map((v) => v.resource), static: true },
    ];
    if (this.dynamicClusters.size)
      out.push({
        kind: 'clusters',
        clusters: [...this.dynamicClusters.values()].map((v) => v.resource),
        static: false,
      });
    for (const v of this.assignments.values()) out.push({ kind: 'assignment', cla: v.resource });
    for (const [name, v] of this.routes)
      out.push({ kind: 'route', name, config: v.resource, version: v.version });
    out.push({ kind: 'listeners', listeners: this.staticListeners.map((v) => v.resource), static: true });
    if (this.dynamicListeners.size)
      out.push({
        kind: 'listeners',
        listeners: [...this.dynamicListeners.values()].map((v) => v.resource),
        static: false,
      });
    return out;
  }
}
