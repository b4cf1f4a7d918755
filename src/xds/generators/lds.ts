// LDS (Istio pilot/pkg/xds/lds.go + BuildListeners): sidecars get virtualOutbound, virtualInbound and
// the outbound listeners; routers get their gateway listeners; proxyless gRPC clients api_listeners.
import type { Generator, ProxyInfo, XdsResource } from '../contracts.js';
import type { PushContext } from '../push-context.js';
import { TypeUrl } from '../type-urls.js';
import { affectsNonSecretTypes } from './push-filter.js';
import { gatewayListeners } from './gateway/listeners.js';
import { grpcListener, grpcListenerNames, resolveGrpcTarget } from './grpc/listeners.js';
import { isProxylessListenerName } from '../proxy-info.js';
import { outboundListeners } from './listener/outbound.js';
import { virtualInboundListener, virtualOutboundListener } from './listener/virtual.js';

export function buildListeners(proxy: ProxyInfo, push: PushContext, names?: readonly string[]): object[] {
  if (proxy.proxyless) {
    return (names ?? grpcListenerNames(proxy, push)).flatMap((n) => {
      const t = resolveGrpcTarget(proxy, push, n);
      return t ? [grpcListener(push, t)] : [];
    });
  }
  if (proxy.type === 'router') return gatewayListeners(proxy, push);
  return [
    virtualOutboundListener(proxy, push),
    virtualInboundListener(proxy, push),
    ...outboundListeners(proxy, push),
  ];
}

export const lds: Generator<PushContext> = {
  typeUrl: TypeUrl.Listener,
  generate({ proxy, push, names }): XdsResource[] {
    // A client asking for `<host>:<port>` listeners is a proxyless gRPC client, whatever its metadata.
    const grpc = proxy.proxyless || (names?.some(isProxylessListenerName) ?? false);
    return buildListeners({ ...proxy, proxyless: grpc }, push, names).map((l) => ({
      name: (l as { name: string }).name,
      resource: l,
    }));
  },
  needsPush: (_proxy, update) => affectsNonSecretTypes(update),
};
