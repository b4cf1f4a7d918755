// What the runtime (the injector and kubelet roles) tells one pod's agent: who the pod is, where
// the control plane and CA are, its bootstrap token and the application probes to serve.
// Passed as JSON on the agent's stdin, so the token never appears in a command line.

export interface HttpGetProbe {
  httpGet: {
    path?: string;
    port: number;
    scheme?: 'HTTP' | 'HTTPS';
    host?: string;
    httpHeaders?: { name: string; value: string }[];
  };
  timeoutSeconds?: number;
}
export interface TcpSocketProbe {
  tcpSocket: { port: number; host?: string };
  timeoutSeconds?: number;
}
export type AppProbe = HttpGetProbe | TcpSocketProbe;

export interface AgentConfig {
  /** Istio's proxy types: a sidecar, or a gateway (`router`). */
  type: 'sidecar' | 'router';
  podName: string;
  namespace: string;
  podIp: string;
  serviceAccount: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The Deployment's name (WORKLOAD_NAME) and its owner URI. */
  workloadName: string;
  owner: string;
  appContainers: string[];
  /** Container ports as the injector records them (POD_PORTS). */
  podPorts: { name?: string; containerPort: number; protocol?: string }[];
  interceptionMode: 'REDIRECT' | 'TPROXY' | 'NONE';
  trustDomain: string;
  clusterId: string;
  /** host:port of the control plane's plaintext xDS (15010). */
  xdsAddress: string;
  /** host:port of the CA (15012), the roots to verify it and the pod's bootstrap token. */
  caAddress: string;
  caRootsPem: string;
  /** The mesh trust bundle file to follow (Istio's mounted istio-ca-root-cert), when there is one. */
  caRootsFile?: string;
  token: string;
  /** Directory the agent owns: bootstrap files and the SDS socket. */
  workDir: string;
  /** `/app-health/<container>/readyz|livez` → the application's own probe. */
  appProbers: Record<string, AppProbe>;
  /** How long listeners drain on termination (Istio terminationDrainDuration, default 5 s). */
  drainMs: number;
  statusPort: number;
  readinessPort: number;
  adminPort: number;
}

export function parseAgentConfig(text: string): AgentConfig {
  const c = JSON.parse(text) as Partial<AgentConfig>;
  const required = [
    'type',
    'podName',
    'namespace',
    'podIp',
    'xdsAddress',
    'caAddress',
    'token',
    'workDir',
  ] as const;
  const missing = required.filter((k) => c[k] === undefined || c[k] === '');
  if (missing.length > 0) throw new Error(`agent config lacks ${missing.join(', ')}`);
  return c as AgentConfig;
}
