// One pod's agent (pilot-agent's role): gets the workload certificate with the pod's bootstrap
// token and serves it to the proxy over SDS, renders the bootstrap, runs and supervises the
// proxy, serves readiness and application probes, and on SIGTERM drains the proxy's listeners
// for the termination drain duration before stopping it.
import { mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CertificateRotator } from './cert-rotator.js';
import type { AgentConfig } from './config.js';
import { renderBootstrap, sdsSocketPath } from './bootstrap.js';
import { nodeCommand } from './entry.js';
import { ProxyProcess } from './proxy-process.js';
import { SdsServer } from './sds/server.js';
import type { SecretOptions } from './secret-options.js';
import { rootSecret, workloadSecret } from './sds/secrets.js';
import { metricsSources } from './merged-metrics.js';
import { createStatusServer } from './status-server.js';
import { followTrustBundle, withRoot } from './trust-bundle.js';
import { splitPem } from '../ca/keys.js';
import type { WorkloadCertificate } from '../ca/client.js';

const PROXY_STOP_GRACE_MS = 5_000;

export interface RunningAgent {
  /** Resolves with the agent's exit code once it has stopped. */
  done: Promise<number>;
  /** Graceful termination: drain, wait, stop. */
  terminate(): Promise<void>;
}

function listen(server: import('node:http').Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startAgent(
  cfg: AgentConfig,
  secrets: SecretOptions,
  log: (msg: string) => void,
): Promise<RunningAgent> {
  mkdirSync(cfg.workDir, { recursive: true });
  const identity = {
    trustDomain: cfg.trustDomain,
    namespace: cfg.namespace,
    serviceAccount: cfg.serviceAccount,
  };
  const rotator = new CertificateRotator({
    address: cfg.caAddress,
    caRootsPem: cfg.caRootsPem,
    identity,
    token: cfg.token,
    ttlSeconds: secrets.ttlSeconds,
    graceRatio: secrets.graceRatio,
    graceJitter: secrets.graceJitter,
    log,
  });
  const sds = new SdsServer(log);
  let roots = cfg.caRootsFile ? cfg.caRootsPem : '';
  const serve = (cert: WorkloadCertificate): void =>
    sds.set(workloadSecret(cert), rootSecret(withRoot(roots, cert.rootPem)));
  rotator.on('rotated', (cert) => {
    serve(cert);
    log(
      `workload certificate for ${identity.namespace}/${identity.serviceAccount} valid until ${cert.notAfter.toISOString()}`,
    );
  });
  await rotator.start();
  const unfollow = cfg.caRootsFile
    ? followTrustBundle(
        cfg.caRootsFile,
        (pem) => {
          if (pem === roots) return;
          roots = pem;
          rotator.setCaRoots(pem);
          if (rotator.current) serve(rotator.current);
          log(`trust bundle updated: ${splitPem(pem).length} root(s)`);
        },
        log,
      )
    : () => undefined;

  const socket = sdsSocketPath(cfg);
  rmSync(socket, { force: true });
  const sdsServer = new grpc.Server();
  sds.addTo(sdsServer);
  await new Promise<void>((resolve, reject) =>
    sdsServer.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
      e ? reject(e) : resolve(),
    ),
  );

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number, drainMs: number): Promise<void> =>
    (stopping ??= (async () => {
      if (drainMs > 0) {
        // Envoy's graceful drain: stop accepting on listeners while in-flight requests finish.
        await fetch(`http://127.0.0.1:${cfg.adminPort}/drain_listeners?graceful`, {
          method: 'POST',
          signal: AbortSignal.timeout(1000),
        }).catch((e: Error) => log(`drain_listeners: ${e.message}`));
        log(`draining for ${drainMs} ms`);
        await new Promise((r) => setTimeout(r, drainMs));
      }
      rotator.stop();
      unfollow();
      await proxy.stop(PROXY_STOP_GRACE_MS);
      for (const s of servers) s.close();
      sdsServer.forceShutdown();
      resolveDone(code);
    })());

  const proxy = new ProxyProcess({
    command: nodeCommand('cli/main', [
      'proxy',
      '--drain-time',
      String(Math.max(1, Math.round(cfg.drainMs / 1000))),
    ]),
    bootstrap: renderBootstrap(cfg),
    workDir: cfg.workDir,
    log,
    onGiveUp: (reason) => {
      log(reason);
      void shutdown(1, 0);
    },
    onExit: () => void shutdown(0, 0),
  });

  const status = createStatusServer({
    podIp: cfg.podIp,
    adminPort: cfg.adminPort,
    appProbers: cfg.appProbers,
    metrics: metricsSources(cfg),
    log,
    ready: () => (rotator.current ? undefined : 'workload certificate not issued yet'),
    quit: () => void shutdown(0, 0),
  });
  const readiness = createStatusServer({
    podIp: cfg.podIp,
    adminPort: cfg.adminPort,
    appProbers: {},
    ready: () => (rotator.current ? undefined : 'workload certificate not issued yet'),
    quit: () => void shutdown(0, 0),
  });
  const servers = [status, readiness];
  await listen(status, cfg.statusPort);
  await listen(readiness, cfg.readinessPort);
  proxy.start();
  log(`agent for ${cfg.podName}.${cfg.namespace} started (proxy pid ${proxy.pid})`);
  return { done, terminate: () => shutdown(0, cfg.drainMs) };
}
