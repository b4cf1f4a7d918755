// The ports a sidecar accepts inbound traffic on: the Sidecar resource's ingress listeners when
// it has them, else every service port the workload serves (Istio's proxy service instances).
import type { ProxyInfo } from '../../contracts.js';
import type { PushContext, ServiceInstance } from '../../push-context.js';
import { parseProtocol, type Protocol } from '../../../registry/model.js';
import type { InboundService, PolicyTarget } from '../security/inbound.js';

export interface InboundPort {
  /** Service port (names the cluster). */
  port: number;
  /** Port the app listens on, and the original destination port of intercepted traffic. */
  targetPort: number;
  protocol: Protocol;
  host: string;
  /** Where the inbound cluster delivers: the app on loopback unless a Sidecar ingress says otherwise. */
  endpointAddress: string;
  endpointPort: number;
  /** What security policies see of the port: workload port and the service behind it. */
  policy: PolicyTarget;
}

export function inboundPorts(proxy: ProxyInfo, push: PushContext): InboundPort[] {
  const ingress = push.sidecarFor(proxy)?.spec.ingress;
  const instances = push.instancesFor(proxy);
  const out = new Map<number, InboundPort>();
  if (ingress?.length) {
    for (const l of ingress) {
      const inst = instances.find((i) => i.endpoint.port === l.port.number || i.port.port === l.port.number);
      const [addr, port] = parseEndpoint(l.defaultEndpoint, l.port.number);
      out.set(l.port.number, {
        port: l.port.number,
        targetPort: l.port.number,
        protocol: parseProtocol(l.port.protocol) ?? 'TCP',
        host: inst?.service.hostname ?? `${proxy.workloadName ?? proxy.podName}.${proxy.namespace}`,
        endpointAddress: addr,
        endpointPort: port,
        policy: { port: l.port.number, ...(inst ? { service: policyService(inst) } : {}) },
      });
    }
    return [...out.values()];
  }
  for (const i of instances)
    if (!out.has(i.endpoint.port))
      out.set(i.endpoint.port, {
        port: i.port.port,
        targetPort: i.endpoint.port,
        protocol: i.port.protocol,
        host: i.service.hostname,
        endpointAddress: '127.0.0.1',
        endpointPort: i.endpoint.port,
        policy: { port: i.endpoint.port, service: policyService(i) },
      });
  return [...out.values()];
}

function policyService(i: ServiceInstance): InboundService {
  return {
    hostname: i.service.hostname,
    name: i.service.name,
    namespace: i.service.namespace,
    port: i.port.port,
    portName: i.port.name,
  };
}

function parseEndpoint(defaultEndpoint: string | undefined, fallbackPort: number): [string, number] {
  const m = /^([\d.]+):(\d+)$/.exec(defaultEndpoint ?? '');
  return m ? [m[1]!, Number(m[2])] : ['127.0.0.1', fallbackPort];
}
