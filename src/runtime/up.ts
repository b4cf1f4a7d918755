// `weft up`: the local mesh in one process. Preflight, removal of a crashed run's leftovers, the
// CA (15012) and the control plane (xDS 15010, HTTP 15014) on loopback and on the pod bridge, the
// pod network, the gateways, then the workloads from the config store; runtime.json tells the
// CLI what runs. close() stops pods gracefully and removes everything the run made.
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '../ca/authority.js';
import { createCsr } from '../ca/csr.js';
import { workloadTtlFromEnv } from '../ca/workload-ttl.js';
import {
  addCaService,
  BootstrapTokens,
  caServerCredentials,
  MutableCertificateProvider,
} from '../ca/server.js';
import { startControlPlane, type ControlPlane } from '../controlplane/control-plane.js';
import { cleanupAll } from './cleanup.js';
import { loadImageCatalogue } from './images.js';
import { gatewayResources, publishIngress } from './ingress.js';
import { runMeshCa, trustBundleFile } from './mesh-ca.js';
import { MeshNetwork } from './net/mesh-network.js';
import { formatPreflight, preflight } from './net/preflight.js';
import { WorkloadController } from './workloads/controller.js';
import { TcpForwarder } from './workloads/forwarder.js';
import { netStateDir } from './workloads/paths.js';
import { writeRuntimeInfo, type RuntimeInfo } from './workloads/state.js';

export interface UpOptions {
  stateDir: string;
  images?: string;
  podCidr?: string;
  serviceCidr?: string;
  /** Ingress Service port → host port on 127.0.0.1. */
  publish: Record<number, number>;
  egressGateway?: boolean;
  xdsPort?: number;
  httpPort?: number;
  caPort?: number;
  log: (msg: string) => void;
}

export interface LocalMesh {
  cp: ControlPlane;
  controller: WorkloadController;
  network: MeshNetwork;
  ingress: Record<string, string>;
  close(): Promise<void>;
}

const ISTIOD_NAMES = [
  'istiod.istio-system.svc',
  'istiod.istio-system.svc.cluster.local',
  'istio-pilot.istio-system',
];
const GATEWAY_OWNER = 'weft';

function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, creds, (e, p) => (e ? reject(e) : resolve(p))),
  );
}

export async function startLocalMesh(opts: UpOptions): Promise<LocalMesh> {
  const { stateDir, log } = opts;
  const problems = await preflight();
  if (problems.length > 0) throw new Error(`weft up cannot run here:\n${formatPreflight(problems)}`);
  const netDir = netStateDir(stateDir);
  const leftovers = await cleanupAll({ stateDir: netDir });
  if (leftovers.runs.length > 0)
    log(
      `removed what a previous run left (run ${leftovers.runs.join(', ')}: ${leftovers.namespaces.length} pods)`,
    );
  mkdirSync(stateDir, { recursive: true });
  // The agents run as uid 1337 and need to reach their work directories (traverse, not list).
  chmodSync(stateDir, statSync(stateDir).mode | 0o011);
  for (const d of ['logs', 'pods']) rmSync(join(stateDir, d), { recursive: true, force: true });

  const images = opts.images ? await loadImageCatalogue(opts.images) : undefined;
  const ca = await CertificateAuthority.loadOrCreate(join(stateDir, 'ca'));
  ca.workloadTtl = workloadTtlFromEnv(process.env, (m) => log(`warning: ${m}`));
  const network = await MeshNetwork.create({
    stateDir: netDir,
    podCidr: opts.podCidr,
    serviceCidr: opts.serviceCidr,
  });
  const closers: (() => Promise<void> | void)[] = [() => network.close()];
  // Every step runs even when an earlier one fails, so the network always goes last.
  const close = async (): Promise<void> => {
    for (const c of closers.reverse())
      await Promise.resolve()
        .then(c)
        .catch((e: Error) => log(`shutdown: ${e.message}`));
  };
  try {
    log(`pod network ${network.podCidr} on bridge ${network.bridge} (run ${network.runId})`);
    const cp = await startControlPlane({
      xds: `127.0.0.1:${opts.xdsPort ?? 15010}`,
      http: `127.0.0.1:${opts.httpPort ?? 15014}`,
      stateDir,
      // As Istio's demo profile: every proxy logs its requests, so `weft logs POD -c proxy` shows them.
      meshDefaults: { accessLogFile: '/dev/stdout' },
    });
    closers.push(() => cp.close());
    const xdsPort = Number(cp.xdsAddress.split(':').pop());
    // Pods reach the control plane on the bridge address; it listens on loopback.
    const xdsBridge = await new TcpForwarder(() => ({ host: '127.0.0.1', port: xdsPort })).listen(
      network.gateway,
      xdsPort,
    );
    closers.push(() => xdsBridge.close());

    const tokens = new BootstrapTokens();
    const istiod = { trustDomain: ca.trustDomain, namespace: 'istio-system', serviceAccount: 'istiod' };
    // 15012's own certificate, issued by the mesh CA (again whenever a plugged-in CA replaces it).
    const servingCert = async (): Promise<[string, string]> => {
      const serving = await createCsr(istiod, ['istiod.istio-system.svc']);
      const chain = await ca.sign(serving.csrPem, istiod, { dnsNames: ['istiod.istio-system.svc'] });
      return [chain.slice(0, -1).join(''), serving.keyPem];
    };
    const provider = new MutableCertificateProvider(ca.trustBundle().join(''), ...(await servingCert()));
    const caServer = new grpc.Server();
    addCaService(caServer, { ca, tokens });
    const creds = caServerCredentials(provider);
    const caPort = await bind(caServer, `127.0.0.1:${opts.caPort ?? 15012}`, creds);
    await bind(caServer, `${network.gateway}:${caPort}`, creds);
    closers.push(() => caServer.forceShutdown());
    closers.push(
      await runMeshCa({
        ca,
        store: cp.store,
        stateDir,
        rootNamespace: 'istio-system',
        onChange: async () => provider.update(ca.trustBundle().join(''), ...(await servingCert())),
        log,
      }),
    );
    network.setExtraHosts([{ ip: network.gateway, names: ISTIOD_NAMES }]);
    log(
      `control plane: xDS ${cp.xdsAddress}, CA 127.0.0.1:${caPort}, http://${cp.httpAddress} (pods use ${network.gateway})`,
    );

    const controller = new WorkloadController(
      cp.store,
      cp.local,
      {
        network,
        images,
        stateDir,
        mesh: {
          xdsAddress: `${network.gateway}:${xdsPort}`,
          caAddress: `${network.gateway}:${caPort}`,
          caRootsPem: () => ca.trustBundle().join(''),
          caRootsFile: trustBundleFile(stateDir),
          tokens,
          trustDomain: ca.trustDomain,
          clusterId: 'Kubernetes',
          drainMs: 5_000,
          proxyConfig: () => cp.mesh().defaultConfig ?? {},
        },
      },
      log,
    );
    closers.push(() => controller.close());
    const applied = cp.store.apply(
      gatewayResources({ egress: opts.egressGateway ?? false }).map((resource) => ({ resource })),
      { owner: GATEWAY_OWNER },
    );
    if (!applied.ok) throw new Error(`gateway resources invalid: ${JSON.stringify(applied.diagnostics)}`);
    controller.start();
    const forwarders = await publishIngress(opts.publish, () => controller.pods.values());
    closers.push(() => Promise.all(forwarders.map((f) => f.close())).then(() => undefined));
    const ingress = Object.fromEntries(
      Object.entries(opts.publish).map(([svc, host]) => [svc, `127.0.0.1:${host}`]),
    );

    const info = (): RuntimeInfo => ({
      pid: process.pid,
      runId: network.runId,
      netStateDir: netDir,
      ingress,
      controlPlane: { xds: cp.xdsAddress, http: cp.httpAddress },
      pods: [...controller.pods.values()].map((p) => ({
        name: p.name,
        namespace: p.namespace,
        owner: p.plan.owner.name,
        ...(p.net ? { netns: p.net.netns } : {}),
        ...(p.plan.proxy ? { proxy: p.plan.proxy } : {}),
        labels: p.plan.labels,
        status: p.status(),
      })),
      pending: controller.pendingRollouts(),
      updated: new Date().toISOString(),
    });
    let pending: NodeJS.Timeout | undefined;
    const save = (): void => {
      pending ??= setTimeout(() => {
        pending = undefined;
        writeRuntimeInfo(stateDir, info());
      }, 50);
    };
    controller.listeners.add(save);
    const unwatch = cp.store.watch(save);
    writeRuntimeInfo(stateDir, info());
    closers.push(() => {
      controller.listeners.delete(save);
      unwatch();
      clearTimeout(pending);
      rmSync(join(stateDir, 'runtime.json'), { force: true });
    });
    return { cp, controller, network, ingress, close };
  } catch (e) {
    await close();
    throw e;
  }
}
