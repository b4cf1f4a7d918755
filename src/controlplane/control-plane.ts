// The control plane process (istiod's discovery role on one machine): config store fed by a
// directory and the config API, the local and ServiceEntry registries, push contexts, the xDS
// server on 15010 and the monitoring/debug/config HTTP server on 15014.
import * as grpc from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { defaultMeshConfig, loadMeshConfig, mergeMeshConfig, type MeshConfig } from '../api/meshconfig.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { ConfigStore } from '../config/store.js';
import { createConfigApi } from '../config/sources/api.js';
import { DirectorySource } from '../config/sources/directory.js';
import { PersistedConfig } from '../config/sources/persisted.js';
import { removeControlPlaneInfo, writeControlPlaneInfo } from '../config/state-dir.js';
import { AggregateRegistry } from '../registry/aggregate.js';
import { LocalRegistry } from '../registry/local.js';
import { ServiceEntryRegistry } from '../registry/serviceentry.js';
import { JwksResolver, type JwksResolverOptions } from '../security/jwks-resolver.js';
import { PolicyEngine } from '../policy/engine.js';
import { addPolicyService } from '../policy/server.js';
import { meshWorkloads } from '../policy/workloads.js';
import { generators } from '../xds/generators/index.js';
import { createDebugHandler } from '../xds/debug/index.js';
import { XdsMetrics } from '../xds/monitoring.js';
import { parseProxyInfo } from '../xds/proxy-info.js';
import { buildPushContext, type PushContext } from '../xds/push-context.js';
import { DiscoveryServer, type Logger, stderrLogger } from '../xds/server/discovery-server.js';
import { addXdsServices } from '../xds/server/grpc.js';
import { createMonitoringServer, listen } from './http.js';
import { pushSettings, type PushSettings } from './settings.js';
import { MeshSource } from './mesh-source.js';
import { watchForPushes } from './triggers.js';

export interface ControlPlaneOptions {
  /** A directory of Istio YAML, watched for changes. */
  configDir?: string;
  /** xDS gRPC address (default 127.0.0.1:15010; port 0 picks one). */
  xds?: string;
  /** Monitoring, debug and config API address (default 127.0.0.1:15014). */
  http?: string;
  /** Where API-applied config and control-plane.json live. */
  stateDir: string;
  /** A MeshConfig YAML file (Istio's mesh config fields). */
  meshFile?: string;
  /** Mesh config fields under the file's: an embedding's own defaults (e.g. the local runtime's). */
  meshDefaults?: MeshConfig;
  settings?: PushSettings;
  /** The JWKS cache that inlines RequestAuthentication keys (refresh intervals, timeouts). */
  jwks?: JwksResolverOptions;
  log?: Logger;
}

export interface ControlPlane {
  xdsAddress: string;
  httpAddress: string;
  store: ConfigStore;
  /** The registry the local runtime feeds with its pods and Services. */
  local: LocalRegistry;
  ds: DiscoveryServer<PushContext>;
  /** The mesh config in force (the local runtime reads its defaultConfig for new pods). */
  mesh(): MeshConfig;
  close(): Promise<void>;
}

/**
 * Base mesh config: Istio's defaults, then the embedding's `defaults`, then the --mesh file,
 * validated like Istio's (errors name file, line and field). The istio ConfigMap goes over it.
 */
async function readMesh(file: string | undefined, defaults: MeshConfig, log: Logger): Promise<MeshConfig> {
  const base = mergeMeshConfig(defaultMeshConfig(), defaults);
  if (!file) return base;
  const r = loadMeshConfig(await readFile(file, 'utf8'), file, base);
  if (!r.ok) throw new Error(`invalid mesh config:\n${r.errors.map(formatDiagnostic).join('\n')}`);
  for (const w of r.warnings) log('warn', formatDiagnostic(w));
  return r.config;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? stderrLogger;
  const settings = opts.settings ?? pushSettings();
  const mesh = await readMesh(opts.meshFile, opts.meshDefaults ?? {}, log);
  // The push debounce is the one users tune (PILOT_DEBOUNCE_*), so the store only coalesces bursts.
  const store = new ConfigStore({ debounceMs: 10, maxDelayMs: 100 });
  const { persisted, diagnostics } = await PersistedConfig.open(store, opts.stateDir);
  for (const d of diagnostics) log('warn', `saved config ${d.file ?? ''}: ${d.message}`);
  const directory = opts.configDir ? new DirectorySource(store, opts.configDir) : undefined;
  await directory?.start();

  // Before the push triggers: a push the istio ConfigMap causes must see its mesh config.
  const meshSource = new MeshSource(mesh, store, log);
  // The trust domain the local registry stamps on workloads is the startup one.
  const local = new LocalRegistry(store, { domainSuffix: 'cluster.local', trustDomain: mesh.trustDomain });
  const serviceEntries = new ServiceEntryRegistry(store);
  const registry = new AggregateRegistry([local, serviceEntries]);
  const metrics = new XdsMetrics({ processMetrics: true });
  // The control plane fetches jwksUri documents and inlines them (Istio's default), so proxies need
  // no route to the JWKS servers; new or rotated keys reach them with a full push.
  const jwks = new JwksResolver(opts.jwks);
  // Mixer's Check (istio-policy): rules compiled from the store, served to sidecars' ext_authz.
  const policy = new PolicyEngine(store, { defaultNamespace: mesh.rootNamespace ?? 'istio-system', log });
  const ds = new DiscoveryServer<PushContext>({
    generators: generators.values(),
    proxyFromNode: parseProxyInfo,
    initPushContext: (req, previous) => {
      if (req && !req.full && previous) return previous.withEndpoints(registry, previous.version);
      const push = buildPushContext({
        store,
        registry,
        mesh: meshSource.mesh,
        jwks: { resolve: jwks.resolveJwks },
        policyScope: policy.scope(),
      });
      metrics.recordCredentialDiagnostics(push.credentialDiagnostics);
      return push;
    },
    debounce: settings.debounce,
    pushConcurrency: settings.pushConcurrency,
    metrics,
    log,
    controlPlaneId: `weft-${process.pid}`,
  });
  ds.start();
  const stopTriggers = watchForPushes(
    store,
    registry,
    (r) => ds.configUpdate(r),
    () => ds.clock.now(),
  );
  // Changes outside the config store that every proxy's config depends on.
  const fullPush = (reason: string) => (): void =>
    ds.configUpdate({
      full: true,
      configsUpdated: new Set(),
      edsUpdates: new Set(),
      reasons: [reason],
      start: ds.clock.now(),
    });
  jwks.onChange(fullPush('jwks'));
  policy.onScopeChange(fullPush('policy'));

  const grpcServer = new grpc.Server({ 'grpc.max_send_message_length': -1 });
  addXdsServices(grpcServer, ds);
  addPolicyService(grpcServer, {
    engine: policy,
    workloads: meshWorkloads(
      // Lazily, so a Check stops at the first proxy with the address instead of copying them all.
      function* () {
        for (const c of ds.connections) yield c.proxy;
      },
      () => ds.currentPush,
    ),
    failOpen: () => ds.currentPush.mesh.policyCheckFailOpen,
  });
  const xdsPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(opts.xds ?? '127.0.0.1:15010', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const xdsAddress = `${(opts.xds ?? '127.0.0.1:15010').replace(/:\d+$/, '')}:${xdsPort}`;

  const http = createMonitoringServer(metrics.registry, [
    createDebugHandler({
      ds,
      store,
      services: () => registry.services(),
      pushStatus: () => ({
        version: ds.version,
        credentialDiagnostics: ds.currentPush.credentialDiagnostics,
      }),
    }),
    createConfigApi(store, { persisted }),
  ]);
  const httpAddress = await listen(http, opts.http ?? '127.0.0.1:15014');
  await writeControlPlaneInfo(opts.stateDir, { pid: process.pid, http: httpAddress, xds: xdsAddress });
  log('info', `xDS on ${xdsAddress}, monitoring and config API on http://${httpAddress}`);

  return {
    xdsAddress,
    httpAddress,
    store,
    local,
    ds,
    mesh: () => meshSource.mesh,
    async close() {
      stopTriggers();
      meshSource.close();
      jwks.close();
      policy.close();
      ds.stop();
      await directory?.close();
      local.close();
      serviceEntries.close();
      grpcServer.forceShutdown();
      const closed = new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await closed;
      await removeControlPlaneInfo(opts.stateDir, process.pid);
    },
  };
}
