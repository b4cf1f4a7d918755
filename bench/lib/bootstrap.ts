// Pieces of the static Envoy bootstraps the benchmarks hand to the proxies.

/** A STATIC cluster with one endpoint on 127.0.0.1:`port`, plus any `extra` cluster fields. */
export function staticCluster(name: string, port: number, extra: object = {}): object {
  return {
    name,
    connect_timeout: '1s',
    type: 'STATIC',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
          ],
        },
      ],
    },
    ...extra,
  };
}
