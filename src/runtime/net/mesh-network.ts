// The local pod network (DESIGN §3): one bridge in the root namespace holding the pod CIDR's
// gateway address, and per pod a namespace with a veth on that bridge. Pods get routes for the
// pod and service CIDRs only: no default route, no NAT, so nothing can leave the machine.
import { randomBytes } from 'node:crypto';
import { allocateAddress } from './allocator.js';
import { blocksOverlap, ipv4Block, type Ipv4Block } from './cidr.js';
import { run } from './exec.js';
import { serviceHostEntries, writeHostsFile, type HostEntry, type ServiceAddress } from './hosts.js';
import { PodNetwork } from './pod.js';
import { DEFAULT_STATE_DIR, saveState, type RunState } from './state.js';
import { removePod, removeRun } from './teardown.js';

export const DEFAULT_POD_CIDR = '10.244.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

export interface MeshNetworkOptions {
  /** Where the run record lives (default /run/weft); `cleanupAll` reads the same directory. */
  stateDir?: string;
  /** 1-6 hex digits naming every object of this run (default: random). */
  runId?: string;
  podCidr?: string;
  serviceCidr?: string;
}

export interface PodName {
  name: string;
  namespace: string;
}

const key = (p: PodName): string => `${p.namespace}/${p.name}`;

export class MeshNetwork {
  private readonly podBlock: Ipv4Block;
  private readonly serviceBlock: Ipv4Block;
  private readonly livePods = new Map<string, PodNetwork>();
  private extraHosts: HostEntry[] = [];

  private constructor(
    readonly stateDir: string,
    private readonly state: RunState,
  ) {
    this.podBlock = ipv4Block(state.podCidr);
    this.serviceBlock = ipv4Block(state.serviceCidr);
  }

  /** Creates the bridge after checking the pod CIDR is not already routed on this machine. */
  static async create(opts: MeshNetworkOptions = {}): Promise<MeshNetwork> {
    const runId = opts.runId ?? randomBytes(3).toString('hex');
    if (!/^[0-9a-f]{1,6}$/.test(runId)) throw new Error(`run id "${runId}" must be 1-6 hex digits`);
    const podBlock = ipv4Block(opts.podCidr ?? DEFAULT_POD_CIDR);
    const serviceBlock = ipv4Block(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    if (podBlock.bits > 30) throw new Error(`pod CIDR ${podBlock.cidr} is too small`);
    if (blocksOverlap(podBlock, serviceBlock)) {
      throw new Error(`pod CIDR ${podBlock.cidr} overlaps service CIDR ${serviceBlock.cidr}`);
    }
    await assertUnrouted(podBlock);
    const state: RunState = {
      version: 1,
      runId,
      podCidr: podBlock.cidr,
      serviceCidr: serviceBlock.cidr,
      bridge: `weft-${runId}`,
      gateway: allocateAddress(podBlock, []),
      nextVethIndex: 0,
      pods: {},
      services: {},
    };
    const stateDir = opts.stateDir ?? DEFAULT_STATE_DIR;
    saveState(stateDir, state);
    const bridge = state.bridge;
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${state.gateway}/${podBlock.bits}`, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    return new MeshNetwork(stateDir, state);
  }

  get runId(): string {
    return this.state.runId;
  }
  get bridge(): string {
    return this.state.bridge;
  }
  /** The bridge's address in the root namespace: where pods reach the control plane. */
  get gateway(): string {
    return this.state.gateway;
  }
  get podCidr(): string {
    return this.state.podCidr;
  }
  get serviceCidr(): string {
    return this.state.serviceCidr;
  }
  get pods(): PodNetwork[] {
    return [...this.livePods.values()];
  }

  pod(p: PodName): PodNetwork | undefined {
    return this.livePods.get(key(p));
  }

  async createPodNetwork(p: PodName): Promise<PodNetwork> {
    const k = key(p);
    if (this.state.pods[k]) throw new Error(`pod ${k} already has a network`);
    // Allocate and record before creating anything (synchronously, so concurrent creations
    // cannot take the same address), so a crash from here on leaves nothing unrecorded.
    const ip = allocateAddress(
      this.podBlock,
      Object.values(this.state.pods).map((r) => r.ip),
      [this.state.gateway],
    );
    const index = this.state.nextVethIndex++;
    const rec = {
      netns: `weft-${this.runId}-${p.name}.${p.namespace}`,
      hostVeth: `weft${this.runId}v${index.toString(36)}`,
      ip,
    };
    if (rec.hostVeth.length > 15) throw new Error(`interface name ${rec.hostVeth} exceeds 15 characters`);
    this.state.pods[k] = rec;
    this.save();

    const ns = rec.netns;
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', rec.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await run('ip', ['link', 'set', rec.hostVeth, 'master', this.bridge, 'up']);
    // Service VIPs are on-link: with capture the connect() is redirected to the sidecar before
    // any packet leaves; without it the VIP is simply unreachable (nobody answers ARP on the bridge).
    await run('ip', ['-n', ns, '-batch', '-'], {
      input: [
        'link set lo up',
        `addr add ${ip}/${this.podBlock.bits} dev eth0`,
        'link set eth0 up',
        `route add ${this.serviceCidr} dev eth0 scope link`,
      ].join('\n'),
    });
    const pod = new PodNetwork(p.name, p.namespace, ns, ip, rec.hostVeth);
    this.livePods.set(k, pod);
    this.writeHosts(pod);
    return pod;
  }

  async destroyPodNetwork(p: PodName): Promise<void> {
    const k = key(p);
    const rec = this.state.pods[k];
    if (!rec) return;
    await removePod(rec);
    this.livePods.delete(k);
    delete this.state.pods[k];
    this.save();
  }

  /** The service's VIP from the service CIDR; the same address on every call until released. */
  allocateServiceVip(s: PodName): string {
    const k = key(s);
    const existing = this.state.services[k];
    if (existing) return existing;
    const vip = allocateAddress(this.serviceBlock, Object.values(this.state.services));
    this.state.services[k] = vip;
    this.save();
    this.refreshHosts();
    return vip;
  }

  releaseServiceVip(s: PodName): void {
    if (!this.state.services[key(s)]) return;
    delete this.state.services[key(s)];
    this.save();
    this.refreshHosts();
  }

  serviceAddresses(): ServiceAddress[] {
    return Object.entries(this.state.services).map(([k, vip]) => {
      const [namespace = '', name = ''] = k.split('/');
      return { name, namespace, vip };
    });
  }

  /** Names every pod resolves besides services, e.g. `istiod.istio-system.svc` → the gateway. */
  setExtraHosts(entries: readonly HostEntry[]): void {
    this.extraHosts = [...entries];
    this.refreshHosts();
  }

  /** Removes every pod, the bridge and the run record. */
  async close(): Promise<void> {
    await removeRun(this.stateDir, this.state);
    this.livePods.clear();
  }

  private refreshHosts(): void {
    for (const pod of this.livePods.values()) this.writeHosts(pod);
  }

  private writeHosts(pod: PodNetwork): void {
    writeHostsFile(pod.netns, [
      { ip: pod.ip, names: [pod.name] },
      ...serviceHostEntries(this.serviceAddresses(), pod.namespace),
      ...this.extraHosts,
    ]);
  }

  private save(): void {
    saveState(this.stateDir, this.state);
  }
}

/** Refuses a pod CIDR that overlaps any route or address already on the machine. */
async function assertUnrouted(block: Ipv4Block): Promise<void> {
  const routes = JSON.parse(await run('ip', ['-j', '-4', 'route', 'show'])) as {
    dst: string;
    dev?: string;
  }[];
  const addrs = JSON.parse(await run('ip', ['-j', '-4', 'addr', 'show'])) as {
    ifname: string;
    addr_info: { local: string; prefixlen: number }[];
  }[];
  const used = [
    ...routes
      .filter((r) => r.dst !== 'default')
      .map((r) => ({ cidr: r.dst.includes('/') ? r.dst : `${r.dst}/32`, dev: r.dev })),
    ...addrs.flatMap((l) => l.addr_info.map((a) => ({ cidr: `${a.local}/${a.prefixlen}`, dev: l.ifname }))),
  ];
  for (const u of used) {
    if (blocksOverlap(block, ipv4Block(u.cidr))) {
      throw new Error(
        `pod CIDR ${block.cidr} overlaps ${u.cidr}${u.dev ? ` on ${u.dev}` : ''} on this machine; choose another pod CIDR`,
      );
    }
  }
}
