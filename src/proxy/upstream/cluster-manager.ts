// Owns the live clusters (Envoy ClusterManager): static and CDS clusters, EDS assignments,
// warming (a new or changed cluster replaces the old one only once it has hosts to offer) and
// atomic swap: requests already holding the old Cluster finish on it while its pools drain.
import type { Msg } from '../config/proto.js';
import type { StatsStore } from '../stats/store.js';
import { Cluster } from './cluster.js';
import type { ClusterConfig } from './cluster-config.js';
import { mathRandom, type Random } from './lb/types.js';
import { SecretStore } from '../tls/secret-store.js';

export class ClusterManager {
  private readonly active = new Map<string, Cluster>();
  private readonly warming = new Map<string, Cluster>();
  /** Latest EDS assignment per service name, kept so a re-created cluster gets it at once. */
  private readonly assignments = new Map<string, Msg>();
  /** Static clusters from the bootstrap are never removed by CDS. */
  private readonly staticNames = new Set<string>();

  constructor(
    private readonly store: StatsStore,
    private readonly random: Random = mathRandom,
    private readonly secrets: SecretStore = new SecretStore(),
  ) {}

  get(name: string): Cluster | undefined {
    return this.active.get(name);
  }

  all(): Cluster[] {
    return [...this.active.values()];
  }

  warmingClusters(): Cluster[] {
    return [...this.warming.values()];
  }

  addStatic(configs: readonly ClusterConfig[]): void {
    for (const c of configs) {
      this.staticNames.add(c.name);
      this.upsert(c);
    }
  }

  /** State-of-the-world CDS: adds, updates (when the proto changed) and removes clusters. */
  applyDynamic(configs: readonly ClusterConfig[]): void {
    const names = new Set(configs.map((c) => c.name));
    for (const c of configs) this.upsert(c);
    for (const [name, cl] of this.active)
      if (!names.has(name) && !this.staticNames.has(name)) {
        this.active.delete(name);
        void cl.destroy();
      }
    for (const [name, cl] of this.warming)
      if (!names.has(name) && !this.staticNames.has(name)) {
        this.warming.delete(name);
        void cl.destroy();
      }
  }

  private upsert(c: ClusterConfig): void {
    const cur = this.active.get(c.name) ?? this.warming.get(c.name);
    if (cur && JSON.stringify(cur.config.raw) === JSON.stringify(c.raw)) return;
    const cl = new Cluster(c, this.store, this.random, this.secrets);
    if (c.type === 'EDS') {
      const cla = this.assignments.get(c.edsServiceName);
      if (cla) cl.setAssignment(cla);
    }
    cl.start();
    const prevWarming = this.warming.get(c.name);
    if (prevWarming) void prevWarming.destroy();
    if (cl.warm) this.activate(cl);
    else {
      this.warming.set(c.name, cl);
      void cl.whenWarm().then(() => {
        if (this.warming.get(c.name) === cl) this.activate(cl);
      });
    }
  }

  private activate(cl: Cluster): void {
    const name = cl.config.name;
    this.warming.delete(name);
    const old = this.active.get(name);
    this.active.set(name, cl);
    if (old && old !== cl) void old.destroy();
  }

  /** EDS: a ClusterLoadAssignment for every cluster whose service name it names. */
  setAssignment(cla: Msg): void {
    const svc = cla.cluster_name as string;
    this.assignments.set(svc, cla);
    for (const cl of [...this.active.values(), ...this.warming.values()])
      if (cl.config.type === 'EDS' && cl.config.edsServiceName === svc) cl.setAssignment(cla);
  }

  /** Service names the EDS subscription must cover. */
  edsServiceNames(): string[] {
    const out = new Set<string>();
    for (const cl of [...this.active.values(), ...this.warming.values()])
      if (cl.config.type === 'EDS') out.add(cl.config.edsServiceName);
    return [...out].sort();
  }

  /** Resolves once no cluster is warming (Envoy initializes listeners after this). */
  async allWarm(): Promise<void> {
    while (this.warming.size) await Promise.all([...this.warming.values()].map((c) => c.whenWarm()));
  }

  async destroy(): Promise<void> {
    const all = [...this.active.values(), ...this.warming.values()];
    this.active.clear();
    this.warming.clear();
    await Promise.all(all.map((c) => c.destroy()));
  }
}
