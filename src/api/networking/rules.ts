// Istio's networking validation helpers (pkg/config/validation): ports, protocols, durations,
// IPs and subnets, Unix socket addresses, label maps, selectors, subset and port names.

import { isDnsLabel, labelKeyError, labelValueError } from '../common.js';
import { duration, parseDuration, type Path, type Sink, type Schema } from '../schema/dsl.js';

export const UNIX_PREFIX = 'unix://';

/** Istio's DNS-1123 label (labels.IsDNS1123Label) also accepts upper-case letters, unlike Kubernetes'. */

/** Istio's protocol.Parse: the port protocols it knows, compared case-insensitively. */
const PROTOCOLS = new Map<string, string>([
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
  ['grpc', 'GRPC'],
  ['grpc-web', 'GRPC-Web'],
  ['http', 'HTTP'],
  ['http_proxy', 'HTTP_PROXY'],
  ['http2', 'HTTP2'],
  ['https', 'HTTPS'],
  ['tls', 'TLS'],
  ['mongo', 'Mongo'],
  ['redis', 'Redis'],
  ['mysql', 'MySQL'],
]);

/** Canonical protocol name, or undefined when Istio does not support it. */
export function parseProtocol(p: string | undefined): string | undefined {
  return PROTOCOLS.get((p ?? '').toLowerCase());
}
export const isHttpProtocol = (p: string | undefined): boolean =>
  ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web'].includes(parseProtocol(p) ?? '');
export const isTlsProtocol = (p: string | undefined): boolean =>
  ['HTTPS', 'TLS'].includes(parseProtocol(p) ?? '');
export const isTcpProtocol = (p: string | undefined): boolean =>
  ['TCP', 'HTTPS', 'TLS', 'Mongo', 'Redis', 'MySQL'].includes(parseProtocol(p) ?? '');

export function checkProtocol(p: string | undefined, path: Path, sink: Sink): void {
  if (p && !parseProtocol(p)) sink.error(path, `unsupported protocol: ${p}`);
}

export function checkPortName(name: string, path: Path, sink: Sink): void {
  if (!isDnsLabel(name)) sink.error(path, `invalid port name: ${name}`);
}

/** Istio's ValidatePort wording, used where Istio's Go validation (not the CRD) reports it. */
export function checkPortNumber(port: number, path: Path, sink: Sink): void {
  if (!(port >= 1 && port <= 65535)) sink.error(path, `port must be between 1-65535, got ${port}`);
}

/** A duration Istio accepts for timeouts: >= 1ms and whole milliseconds (agent.ValidateDuration). */
export const msDuration = (): Schema<string> =>
  duration({ min: 0.001, minHint: '1ms' }).refine((d, path, sink) => {
    const ms = (parseDuration(d) ?? 0) * 1000;
    if (Math.abs(ms - Math.round(ms)) > 1e-6)
      sink.error(path, 'only durations to ms precision are supported');
  });

/** The part after "unix://": an absolute file path or an abstract socket ("@name"). */
export function unixAddressError(addr: string): string | undefined {
  if (addr === '') return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  if (!addr.startsWith('/') || addr.endsWith('/')) return `${addr} is not an absolute path to a file`;
  return undefined;
}

/** Label map syntax (labels.Instance.Validate): keys are qualified names, values label values. */
export function checkLabelMap(m: Record<string, string> | undefined, path: Path, sink: Sink): void {
  for (const [k, v] of Object.entries(m ?? {})) {
    const ke = labelKeyError(k);
    if (ke) sink.error([...path, k], ke);
    const ve = labelValueError(v);
    if (ve) sink.error([...path, k], ve);
  }
}

/** networking.v1alpha3.WorkloadSelector labels (ServiceEntry, Sidecar, EnvoyFilter): no wildcards. */
export function checkAlphaSelectorLabels(
  m: Record<string, string> | undefined,
  path: Path,
  sink: Sink,
): void {
  if (m === undefined) return;
  for (const [k, v] of Object.entries(m)) {
    if (k === '') sink.error(path, `empty key is not supported in selector: "${k}=${v}"`);
    if (k.includes('*') || v.includes('*'))
      sink.error([...path, k], `wildcard is not supported in selector: "${k}=${v}"`);
  }
  if (Object.keys(m).length === 0) sink.warn(path, 'workload selector specified without labels');
}

export function checkSubsetName(name: string, path: Path, sink: Sink): void {
  if (name === '') sink.error(path, 'subset name cannot be empty');
  else if (!isDnsLabel(name)) sink.error(path, `subset name is invalid: ${name}`);
}

/** A percentage given as an int32 (maxEjectionPercent, mirrorPercent…). */
export function checkPercent(v: number | undefined, path: Path, sink: Sink): void {
  if (v !== undefined && (v < 0 || v > 100)) sink.error(path, `percentage ${v} is not in range 0..100`);
}

export function checkNonNegative(v: number | undefined, what: string, path: Path, sink: Sink): void {
  if (v !== undefined && v < 0) sink.error(path, `${what} must be non-negative`);
}
