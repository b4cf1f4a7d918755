// The runtime's controllers over the config store (kube-controller-manager and kubelet on one
// machine): Deployments → pods (rolling updates, scaling), Services → VIPs, and Services plus
// pods → the local registry, so only Ready pods receive traffic. Reconciles on every store or
// pod change, one pass at a time.
import { spiffeUri } from '../../ca/spiffe.js';
import type { ConfigStore } from '../../config/store.js';
import type { StoredConfig } from '../../config/store-types.js';
import type { LocalRegistry } from '../../registry/local.js';
import type { PodSpec } from '../../api/kube/pod.js';
import { isHeadless, selectedPods, serviceEndpoints, serviceModel, type KubeService } from './endpoints.js';
import { podTemplateHash } from './names.js';
import { planPod, type PodTemplate } from './plan.js';
import { PodRunner, type KubeletDeps } from './pod.js';
import { rolloutStep } from './rollout.js';

interface DeploymentResource {
  apiVersion: string;
  metadata: { name?: string; namespace?: string };
  spec: { replicas?: number; template: PodTemplate };
}

export class WorkloadController {
  readonly pods = new Map<string, PodRunner>();
  private readonly published = new Map<string, string>();
  private readonly stopping = new Map<string, Promise<void>>();
  private unwatch: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** Listeners for pod status changes (progress output, waiters). */
  readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: ConfigStore,
    private readonly registry: LocalRegistry,
    private readonly deps: KubeletDeps,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    this.unwatch = this.store.watch(() => this.kick());
    this.kick();
  }

  /** Runs a reconcile pass now or right after the current one. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.reconcile()
      .catch((e: Error) => this.log(`reconcile failed: ${e.stack ?? e.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves after the reconcile passes queued so far. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private podChanged(): void {
    this.kick();
    for (const l of this.listeners) l();
  }

  /** Deployments whose pods are not all Ready on the current template yet (`ns/name`). */
  pendingRollouts(): string[] {
    const out: string[] = [];
    for (const cfg of this.deployments()) {
      const d = cfg.resource as unknown as DeploymentResource;
      const ns = d.metadata.namespace ?? 'default';
      const hash = podTemplateHash(d.spec.template);
      const mine = [...this.pods.values()].filter(
        (p) => p.namespace === ns && p.plan.owner.name === d.metadata.name,
      );
      const ready = mine.filter((p) => p.plan.templateHash === hash && p.status().ready).length;
      if (ready !== (d.spec.replicas ?? 1) || mine.length !== ready) out.push(`${ns}/${d.metadata.name}`);
    }
    return out;
  }

  private namespaceLabels(ns: string): Record<string, string> {
    return (
      this.store.get({ group: '', kind: 'Namespace', namespace: '', name: ns })?.resource.metadata.labels ??
      {}
    );
  }

  private deployments(): StoredConfig[] {
    return [
      ...this.store.list({ group: 'apps', kind: 'Deployment' }),
      ...this.store.list({ group: 'extensions', kind: 'Deployment' }),
    ];
  }

  private async reconcile(): Promise<void> {
    const seen = new Set<string>();
    const work: Promise<unknown>[] = [];
    for (const cfg of this.deployments()) {
      const d = cfg.resource as unknown as DeploymentResource;
      const ns = d.metadata.namespace ?? 'default';
      const name = d.metadata.name ?? '';
      const owner = `${ns}/${name}`;
      seen.add(owner);
      const hash = podTemplateHash(d.spec.template);
      const mine = [...this.pods.values()].filter((p) => p.namespace === ns && p.plan.owner.name === name);
      const step = rolloutStep(
        d.spec.replicas ?? 1,
        hash,
        mine
          .filter((p) => !p.status().terminating)
          .map((p) => ({
            name: p.name,
            hash: p.plan.templateHash,
            ready: p.status().ready,
            startTime: p.status().startTime,
          })),
      );
      for (let i = 0; i < step.create; i++) {
        const plan = planPod({
          namespace: ns,
          namespaceLabels: this.namespaceLabels(ns),
          owner: { apiVersion: d.apiVersion, kind: 'Deployment', name },
          templateHash: hash,
          template: d.spec.template as PodTemplate & { spec: PodSpec },
        });
        const pod = new PodRunner(plan, this.deps, () => this.podChanged());
        this.pods.set(`${ns}/${plan.name}`, pod);
        this.log(`pod ${ns}/${plan.name} created${plan.proxy === 'sidecar' ? ' (sidecar injected)' : ''}`);
        work.push(pod.start());
      }
      for (const n of step.remove) work.push(this.removePod(`${ns}/${n}`));
    }
    for (const [key, pod] of this.pods)
      if (!seen.has(`${pod.namespace}/${pod.plan.owner.name}`)) work.push(this.removePod(key));
    this.publish();
    // Pod starts and stops run in the background; their status changes trigger the next pass.
    void Promise.all(work);
  }

  private removePod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod) return Promise.resolve();
    const existing = this.stopping.get(key);
    if (existing) return existing;
    this.log(`pod ${key} terminating`);
    const stopped = pod
      .stop()
      .catch((e: Error) => this.log(`pod ${key}: stop failed: ${e.message}`))
      .finally(() => {
        this.pods.delete(key);
        this.stopping.delete(key);
        this.podChanged();
      });
    this.stopping.set(key, stopped);
    return stopped;
  }

  /** Services (with VIPs) and their endpoints to the local registry, only what changed. */
  private publish(): void {
    const net = this.deps.network;
    const trustDomain = this.deps.mesh.trustDomain;
    const live = new Set<string>();
    for (const cfg of this.store.list({ group: '', kind: 'Service' })) {
      const svc = cfg.resource as unknown as KubeService;
      if (svc.spec?.type === 'ExternalName') continue;
      const ns = svc.metadata.namespace ?? 'default';
      const id = { name: svc.metadata.name ?? '', namespace: ns };
      const vip = isHeadless(svc) ? undefined : net.allocateServiceVip(id);
      const pods = selectedPods(svc, this.pods.values());
      const accounts = [
        ...new Set(
          pods.map((p) => spiffeUri({ trustDomain, namespace: ns, serviceAccount: p.plan.serviceAccount })),
        ),
      ].sort();
      const model = serviceModel(svc, vip, accounts);
      const { creationTime: _c, ...comparable } = model;
      const endpoints = serviceEndpoints(svc, pods, trustDomain);
      live.add(model.hostname);
      const svcKey = JSON.stringify(comparable);
      if (this.published.get(model.hostname) !== svcKey) {
        this.published.set(model.hostname, svcKey);
        this.registry.upsertService(model);
      }
      const epKey = `${model.hostname}#endpoints`;
      const eps = JSON.stringify(endpoints);
      if (this.published.get(epKey) !== eps) {
        this.published.set(epKey, eps);
        this.registry.upsertEndpoints(model.hostname, endpoints);
      }
    }
    for (const key of [...this.published.keys()]) {
      const host = key.replace(/#endpoints$/, '');
      if (live.has(host) || key !== host) continue;
      this.published.delete(key);
      this.published.delete(`${host}#endpoints`);
      this.registry.removeService(host);
      const [name = '', namespace = ''] = host.split('.');
      net.releaseServiceVip({ name, namespace });
    }
  }

  /** Stops every pod (graceful termination, in parallel). */
  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    await this.settled();
    await Promise.all([...this.pods.keys()].map((k) => this.removePod(k)));
  }
}
