// Pod annotations → capture configuration, as Istio's injector turns them into istio-init
// arguments (sidecar.istio.io/interceptionMode, traffic.sidecar.istio.io/*).
import { parseCidr, type Cidr } from '../net/cidr.js';
import { sidecarDefaults, type CaptureConfig } from './config.js';

export const ANNOTATIONS = {
  interceptionMode: 'sidecar.istio.io/interceptionMode',
  includeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  includeOutboundPorts: 'traffic.sidecar.istio.io/includeOutboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  kubevirtInterfaces: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  excludeInterfaces: 'traffic.sidecar.istio.io/excludeInterfaces',
} as const;

export class AnnotationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid capture annotations:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * The capture configuration for a pod, or null when interceptionMode is NONE (no iptables).
 * Throws AnnotationError naming every bad annotation value.
 */
export function captureConfigFromAnnotations(
  annotations: Readonly<Record<string, string>>,
  base: CaptureConfig = sidecarDefaults(),
): CaptureConfig | null {
  const problems: string[] = [];
  const cfg: CaptureConfig = { ...base };
  const get = (key: string): string | undefined => annotations[key]?.trim();

  const mode = get(ANNOTATIONS.interceptionMode);
  if (mode === 'NONE') return null;
  if (mode === 'REDIRECT' || mode === 'TPROXY') cfg.interceptionMode = mode;
  else if (mode !== undefined) {
    problems.push(`${ANNOTATIONS.interceptionMode}: "${mode}" is not one of REDIRECT, TPROXY, NONE`);
  }

  const list = (key: string): string[] | undefined =>
    get(key)
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const ports = (key: string): number[] | undefined =>
    list(key)
      ?.filter((p) => {
        const ok = /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;
        if (!ok) problems.push(`${key}: "${p}" is not a port number (1-65535)`);
        return ok;
      })
      .map(Number);
  const ranges = (key: string): Cidr[] | undefined =>
    list(key)?.flatMap((text) => {
      const c = parseCidr(text);
      if (typeof c === 'string') problems.push(`${key}: ${c}`);
      return typeof c === 'string' ? [] : [c];
    });
  const interfaces = (key: string): string[] | undefined =>
    list(key)?.filter((nic) => {
      const ok = /^[^\s/:]{1,15}$/.test(nic);
      if (!ok) problems.push(`${key}: "${nic}" is not an interface name`);
      return ok;
    });

  const includeRanges = get(ANNOTATIONS.includeOutboundIPRanges);
  if (includeRanges !== undefined) {
    cfg.outboundIpRangesInclude =
      includeRanges === '*' ? '*' : (ranges(ANNOTATIONS.includeOutboundIPRanges) ?? []);
  }
  if (get(ANNOTATIONS.excludeOutboundIPRanges) === '*') {
    problems.push(`${ANNOTATIONS.excludeOutboundIPRanges}: "*" is not allowed (exclude specific ranges)`);
  } else {
    cfg.outboundIpRangesExclude = ranges(ANNOTATIONS.excludeOutboundIPRanges) ?? cfg.outboundIpRangesExclude;
  }
  const includeInbound = get(ANNOTATIONS.includeInboundPorts);
  if (includeInbound !== undefined) {
    cfg.inboundPortsInclude = includeInbound === '*' ? '*' : (ports(ANNOTATIONS.includeInboundPorts) ?? []);
  }
  // The proxy's own ports stay excluded whatever the pod adds, as the injector does.
  const excludeInbound = ports(ANNOTATIONS.excludeInboundPorts) ?? [];
  cfg.inboundPortsExclude = [...new Set([...base.inboundPortsExclude, ...excludeInbound])];
  cfg.outboundPortsInclude = ports(ANNOTATIONS.includeOutboundPorts) ?? cfg.outboundPortsInclude;
  cfg.outboundPortsExclude = ports(ANNOTATIONS.excludeOutboundPorts) ?? cfg.outboundPortsExclude;
  cfg.kubeVirtInterfaces = interfaces(ANNOTATIONS.kubevirtInterfaces) ?? cfg.kubeVirtInterfaces;
  cfg.excludeInterfaces = interfaces(ANNOTATIONS.excludeInterfaces) ?? cfg.excludeInterfaces;

  if (problems.length > 0) throw new AnnotationError(problems);
  return cfg;
}
