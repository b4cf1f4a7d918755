// envoy.filters.network.ext_authz: asks the gRPC authorization service about each connection
// (CheckRequest with its source/destination addresses and principals) and holds it meanwhile —
// nothing is read and the terminal filter (no upstream connection) gets it only on OK. A denial,
// or a failed check without failure_mode_allow, closes the connection. The check runs when the
// connection starts (after TLS) rather than at its first byte as Envoy's does, so server-first
// protocols are checked too and tcp_proxy never connects upstream for a connection it would drop.
// Stats: ext_authz.<stat_prefix>.{total,ok,denied,error,failure_mode_allowed,cx_closed,active}.
import { setConnectionMetadata } from '../../../listener/connection.js';
import { makeCounters, makeGauges } from '../../../stats/store.js';
import { connectionPeers, grpcCheck } from '../../common/ext_authz/grpc.js';
import type { ReadFilterFactory } from '../types.js';
import { parseNetworkExtAuthz, type NetworkExtAuthzConfig } from './config.js';

const NAME = 'envoy.filters.network.ext_authz';
const COUNTERS = ['total', 'ok', 'denied', 'error', 'failure_mode_allowed', 'cx_closed'] as const;
const GAUGES = ['active'] as const;

export const networkExtAuthzFilter = {
  name: NAME,
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz',
  kind: 'read',
  parse: (c, path) => parseNetworkExtAuthz(c, path),
  create(cfg, ctx) {
    const scope = ctx.store.scope(`ext_authz.${cfg.statPrefix}`);
    const stats = makeCounters(scope, COUNTERS);
    const gauges = makeGauges(scope, GAUGES);
    return {
      onNewConnection(socket, conn) {
        if (cfg.enabledMetadata && !cfg.enabledMetadata((f) => conn.dynamicMetadata?.get(f)))
          return 'continue';
        stats.total.value++;
        gauges.active.value++;
        const check = grpcCheck(
          ctx.clusterManager,
          cfg.service,
          connectionPeers(conn, cfg.includePeerCertificate),
        );
        // The client went away first: abandon the call.
        const onClose = (): void => {
          check.cancel();
          gauges.active.value--;
        };
        socket.once('close', onClose);
        return check.result.then((r) => {
          socket.off('close', onClose);
          gauges.active.value--;
          stats[r.kind].value++;
          if (r.kind === 'ok') {
            if (r.metadata) setConnectionMetadata(conn, NAME, r.metadata);
            return 'continue';
          }
          if (r.kind === 'error' && cfg.failureModeAllow) {
            stats.failure_mode_allowed.value++;
            return 'continue';
          }
          stats.cx_closed.value++;
          return 'stop';
        });
      },
    };
  },
} satisfies ReadFilterFactory<NetworkExtAuthzConfig>;
