// One pod, run as the kubelet runs it: its network namespace, capture rules when injected
// (istio-init), the agent as the `istio-proxy` container (uid 1337), the application containers
// once the proxy is ready (holdApplicationUntilProxyStarts), probes, and graceful termination.
import { chownSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Container } from '../../api/kube/pod.js';
import type { ProxyConfigValues } from '../../api/meshconfig.js';
import type { AgentConfig } from '../../agent/config.js';
import { nodeCommand } from '../../agent/entry.js';
import type { BootstrapTokens } from '../../ca/server.js';
import type { ImageCatalogue } from '../images.js';
import { applyCapture } from '../iptables/apply.js';
import { captureConfigFromAnnotations } from '../iptables/annotations.js';
import type { MeshNetwork } from '../net/mesh-network.js';
import type { PodNetwork } from '../net/pod.js';
import { ContainerRunner, type ContainerState } from './container.js';
import { containerEnv } from './env.js';
import { ADMIN_PORT, READINESS_PORT, STATUS_PORT } from './inject.js';
import { agentWorkDir, containerLogFile, podLogDir, PROXY_CONTAINER } from './paths.js';
import { podProxyConfig } from './pod-proxy-config.js';
import type { PodPlan } from './plan.js';
import { ProbeWorker, runProbe } from './prober.js';

export const PROXY_UID = 1337;

/** What every pod's agent needs to know about the mesh. */
export interface MeshSettings {
  xdsAddress: string;
  caAddress: string;
  caRootsPem: () => string;
  /** The trust bundle file agents follow (roots change during a CA rotation). */
  caRootsFile?: string;
  tokens: BootstrapTokens;
  trustDomain: string;
  clusterId: string;
  /** terminationDrainDuration (default 5 s). */
  drainMs: number;
  /** The mesh's defaultConfig now (pods start with the one current at their start, as in Istio). */
  proxyConfig: () => ProxyConfigValues;
}

export interface KubeletDeps {
  network: MeshNetwork;
  images: ImageCatalogue | undefined;
  mesh: MeshSettings;
  stateDir: string;
}

export interface PodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  ready: boolean;
  terminating: boolean;
  ip?: string;
  startTime: number;
  containers: (ContainerState & { ready: boolean })[];
  /** Why the pod is not running, when something stops it (image missing, capture failed…). */
  message?: string;
}

const PROXY_READINESS: NonNullable<Container['readinessProbe']> = {
  httpGet: { path: '/healthz/ready', port: READINESS_PORT },
  periodSeconds: 2,
  failureThreshold: 30,
};

/** How long a terminating pod keeps running after leaving the endpoints (≥ the EDS debounce + push). */
const ENDPOINT_REMOVAL_MS = 1000;

interface Slot {
  spec: Container;
  runner?: ContainerRunner;
  ready: boolean;
  readiness?: ProbeWorker;
  liveness?: ProbeWorker;
  waiting?: ContainerState;
}

export class PodRunner {
  net: PodNetwork | undefined;
  private readonly slots = new Map<string, Slot>();
  private terminating = false;
  private message: string | undefined;
  private readonly startTime = Date.now();
  private token: string | undefined;

  constructor(
    readonly plan: PodPlan,
    private readonly deps: KubeletDeps,
    /** Called on every status change. */
    private readonly changed: () => void,
  ) {
    if (plan.proxy === 'sidecar')
      this.slots.set(PROXY_CONTAINER, { spec: { name: PROXY_CONTAINER }, ready: false });
    for (const c of plan.containers) this.slots.set(c.name!, { spec: c, ready: false });
  }

  get name(): string {
    return this.plan.name;
  }
  get namespace(): string {
    return this.plan.namespace;
  }

  /** Creates the pod; failures are recorded in the status (and the pod stays Pending). */
  async start(): Promise<void> {
    try {
      const net = await this.deps.network.createPodNetwork({
        name: this.plan.name,
        namespace: this.plan.namespace,
      });
      this.net = net;
      mkdirSync(podLogDir(this.deps.stateDir, this.namespace, this.name), { recursive: true });
      if (this.plan.proxy === 'sidecar') {
        const capture = captureConfigFromAnnotations(this.plan.annotations);
        if (capture) await applyCapture(net.netns, capture);
      }
      this.changed();
      if (this.terminating) return;
      const proxySlot = this.plan.proxy === 'sidecar' ? this.slots.get(PROXY_CONTAINER)! : undefined;
      if (proxySlot) {
        this.startContainer(proxySlot, this.agentProcess('sidecar', PROXY_CONTAINER), PROXY_READINESS);
        await this.untilReady(proxySlot);
      }
      for (const slot of this.slots.values()) {
        if (slot === proxySlot || this.terminating) continue;
        if (this.plan.proxy === 'router')
          this.startContainer(
            slot,
            this.agentProcess('router', slot.spec.name!),
            slot.spec.readinessProbe ?? PROXY_READINESS,
          );
        else this.startApp(slot);
      }
    } catch (e) {
      this.message = `pod ${this.namespace}/${this.name}: ${(e as Error).message}`;
      this.changed();
    }
  }

  private startApp(slot: Slot): void {
    const c = slot.spec;
    const image = c.image ? this.deps.images?.resolve(c.image) : undefined;
    if (!image && !c.command?.length) {
      slot.waiting = {
        name: c.name!,
        state: 'Waiting',
        reason: 'ErrImageNeverPull',
        restartCount: 0,
      };
      this.message = `container ${c.name}: image ${c.image ?? '(none)'} is not in the image catalogue${this.deps.images ? '' : ' (no --images file given)'}`;
      this.changed();
      return;
    }
    // Kubernetes: command replaces the image's entrypoint, args its arguments.
    const argv = c.command?.length
      ? [...c.command, ...(c.args ?? [])]
      : [...image!.command, ...(c.args ?? image!.args)];
    const env = containerEnv(c, image?.env ?? {}, {
      name: this.name,
      namespace: this.namespace,
      ip: this.net!.ip,
      serviceAccount: this.plan.serviceAccount,
      labels: this.plan.labels,
      annotations: this.plan.annotations,
    });
    this.startContainer(
      slot,
      {
        name: c.name!,
        command: argv[0]!,
        args: argv.slice(1),
        env,
        cwd: c.workingDir ?? image?.cwd,
        logFile: containerLogFile(this.deps.stateDir, this.namespace, this.name, c.name!),
      },
      c.readinessProbe,
    );
  }

  private agentProcess(
    type: 'sidecar' | 'router',
    container: string,
  ): ConstructorParameters<typeof ContainerRunner>[1] {
    const { mesh, stateDir } = this.deps;
    const workDir = agentWorkDir(stateDir, this.namespace, this.name);
    // Parents stay traversable for uid 1337; the directory itself is the agent's alone.
    mkdirSync(dirname(workDir), { recursive: true, mode: 0o755 });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    chownSync(workDir, PROXY_UID, PROXY_UID);
    this.token ??= mesh.tokens.issue({
      trustDomain: mesh.trustDomain,
      namespace: this.namespace,
      serviceAccount: this.plan.serviceAccount,
    });
    const cfg: AgentConfig = {
      type,
      podName: this.name,
      namespace: this.namespace,
      podIp: this.net!.ip,
      serviceAccount: this.plan.serviceAccount,
      labels: this.plan.labels,
      annotations: this.plan.annotations,
      workloadName: this.plan.owner.name,
      owner: `kubernetes://apis/${this.plan.owner.apiVersion}/namespaces/${this.namespace}/${this.plan.owner.kind.toLowerCase()}s/${this.plan.owner.name}`,
      appContainers: this.plan.containers.map((c) => c.name!),
      podPorts: this.plan.containers
        .flatMap((c) => c.ports ?? [])
        .map((p) => ({ ...p, containerPort: p.containerPort! })),
      interceptionMode:
        type === 'router'
          ? 'NONE'
          : ((this.plan.annotations[
              'sidecar.istio.io/interceptionMode'
            ] as AgentConfig['interceptionMode']) ?? 'REDIRECT'),
      trustDomain: mesh.trustDomain,
      clusterId: mesh.clusterId,
      xdsAddress: mesh.xdsAddress,
      caAddress: mesh.caAddress,
      caRootsPem: mesh.caRootsPem(),
      ...(mesh.caRootsFile ? { caRootsFile: mesh.caRootsFile } : {}),
      token: this.token,
      workDir,
      appProbers: this.plan.appProbers,
      drainMs: mesh.drainMs,
      statusPort: STATUS_PORT,
      readinessPort: READINESS_PORT,
      adminPort: ADMIN_PORT,
    };
    const { proxyMetadata } = podProxyConfig(mesh.proxyConfig(), this.plan.annotations);
    const { command, args } = nodeCommand('agent/main');
    return {
      name: container,
      command,
      args,
      // Istio's injector sets proxyMetadata as the istio-proxy container's environment.
      env: { ...proxyMetadata, PATH: process.env.PATH, HOME: workDir },
      cwd: workDir,
      uid: PROXY_UID,
      input: JSON.stringify(cfg),
      logFile: containerLogFile(stateDir, this.namespace, this.name, container),
    };
  }

  private startContainer(
    slot: Slot,
    spec: ConstructorParameters<typeof ContainerRunner>[1],
    readiness: Container['readinessProbe'],
  ): void {
    const runner = new ContainerRunner(this.net!.netns, spec, this.plan.restartPolicy, () => {
      if (!runner.running && slot.ready) slot.ready = false;
      this.changed();
    });
    slot.runner = runner;
    const c = slot.spec;
    if (readiness) {
      slot.readiness = new ProbeWorker({
        probe: readiness,
        run: () =>
          runner.running
            ? runProbe(this.net!, c, readiness)
            : Promise.resolve({ ok: false, reason: 'not running' }),
        onResult: (ok) => {
          slot.ready = ok;
          this.changed();
        },
        startupPeriodMs: 200,
      });
    }
    if (c.livenessProbe) {
      const probe = c.livenessProbe;
      slot.liveness = new ProbeWorker({
        probe,
        run: () => (runner.running ? runProbe(this.net!, c, probe) : Promise.resolve({ ok: true })),
        onResult: (ok, reason) => {
          if (ok) return;
          runner.restart(`liveness probe failed: ${reason}`);
          slot.liveness?.reset();
        },
        initiallyOk: true,
      });
    }
    runner.start();
    slot.readiness?.start();
    slot.liveness?.start();
  }

  private untilReady(slot: Slot): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (slot.ready || this.terminating) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  }

  status(): PodStatus {
    const containers = [...this.slots.values()].map((s) => ({
      ...(s.runner?.status ??
        s.waiting ?? {
          name: s.spec.name!,
          state: 'Waiting' as const,
          reason: 'ContainerCreating',
          restartCount: 0,
        }),
      ready: s.readiness ? s.ready : (s.runner?.running ?? false),
    }));
    const terminated = containers.every((c) => c.state === 'Terminated');
    const phase: PodStatus['phase'] =
      terminated && !this.terminating
        ? containers.some((c) => c.reason === 'Error')
          ? 'Failed'
          : 'Succeeded'
        : containers.every((c) => c.startedAt !== undefined)
          ? 'Running'
          : 'Pending';
    return {
      phase,
      ready: !this.terminating && phase === 'Running' && containers.every((c) => c.ready),
      terminating: this.terminating,
      ...(this.net ? { ip: this.net.ip } : {}),
      startTime: this.startTime,
      containers,
      ...(this.message ? { message: this.message } : {}),
    };
  }

  /** Graceful termination: SIGTERM to every container (the agent drains), SIGKILL after the grace period. */
  async stop(): Promise<void> {
    const wasServing = this.status().ready;
    this.terminating = true;
    this.changed();
    // Out of the endpoints first, then SIGTERM: callers' proxies learn of the removal (one EDS
    // push) before the app stops listening, so a rollout never sends a request to a dead app —
    // the race Kubernetes users close with a preStop sleep.
    if (wasServing) await new Promise((r) => setTimeout(r, ENDPOINT_REMOVAL_MS));
    const grace = this.plan.terminationGraceSeconds * 1000;
    for (const s of this.slots.values()) {
      s.readiness?.stop();
      s.liveness?.stop();
    }
    await Promise.all([...this.slots.values()].map((s) => s.runner?.stop(grace)));
    if (this.token) this.deps.mesh.tokens.revoke(this.token);
    await this.deps.network.destroyPodNetwork({ name: this.name, namespace: this.namespace });
  }
}
