// The SDS secrets a listener or cluster references (filter chain transport sockets; a cluster's
// transport_socket and transport_socket_matches), so the main context can subscribe to them.
import type { Msg } from '../config/proto.js';
import { secretRefs, type SecretRef } from './context-config.js';
import { parseClusterTransport, parseTransportSocket } from './transport-socket.js';

export function listenerSecretRefs(l: Msg): SecretRef[] {
  const chains = [
    ...((l.filter_chains ?? []) as Msg[]),
    ...(l.default_filter_chain ? [l.default_filter_chain] : []),
  ];
  return chains.flatMap((fc, i) => {
    const tls = parseTransportSocket(
      fc.transport_socket,
      'downstream',
      `filter_chains[${i}].transport_socket`,
    );
    return tls ? secretRefs(tls) : [];
  });
}

export function clusterSecretRefs(c: Msg): SecretRef[] {
  const t = parseClusterTransport(c);
  if (!t) return [];
  return [t.fallback, ...t.matches.map((m) => m.tls)].flatMap((x) => (x ? secretRefs(x) : []));
}
