// An upstream endpoint and the host sets a cluster is made of (Envoy Upstream::Host,
// HostSet per priority). Health is a bitmask so EDS status, active health checking and outlier
// detection can each set their own reason without knowing about the others.

export const HealthFlag = {
  FAILED_EDS_HEALTH: 1,
  FAILED_ACTIVE_HC: 2,
  FAILED_OUTLIER_CHECK: 4,
  DEGRADED_EDS_HEALTH: 8,
} as const;

export interface Locality {
  region: string;
  zone: string;
  sub_zone: string;
}

export class Host {
  /** Bitmask of HealthFlag; 0 means healthy. */
  healthFlags = 0;
  activeRequests = 0;
  // Per-host counters shown by /clusters.
  rqTotal = 0;
  rqSuccess = 0;
  rqError = 0;
  rqTimeout = 0;
  cxTotal = 0;
  cxActive = 0;
  cxConnectFail = 0;
  readonly key: string;

  constructor(
    readonly address: string,
    readonly port: number,
    readonly weight = 1,
    readonly priority = 0,
    readonly locality: Locality = { region: '', zone: '', sub_zone: '' },
    readonly hostname = '',
    readonly edsHealth = 'HEALTHY',
    /** lb_endpoint metadata (transport_socket_matches read envoy.transport_socket_match) */
    readonly metadata: Record<string, any> | undefined = undefined,
  ) {
    this.key = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
    if (edsHealth === 'UNHEALTHY' || edsHealth === 'DRAINING' || edsHealth === 'TIMEOUT')
      this.healthFlags |= HealthFlag.FAILED_EDS_HEALTH;
    if (edsHealth === 'DEGRADED') this.healthFlags |= HealthFlag.DEGRADED_EDS_HEALTH;
  }

  get healthy(): boolean {
    return (this.healthFlags & ~HealthFlag.DEGRADED_EDS_HEALTH) === 0;
  }

  localityKey(): string {
    return `${this.locality.region}/${this.locality.zone}/${this.locality.sub_zone}`;
  }
}

/** Hosts of one priority, with their per-locality weights (locality_weighted_lb_config). */
export interface HostSet {
  priority: number;
  hosts: Host[];
  /** Locality key → load_balancing_weight from the LocalityLbEndpoints. */
  localityWeights: Map<string, number>;
}
