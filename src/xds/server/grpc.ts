// gRPC service definitions for ADS and the per-type discovery services, with serializers that
// pass pre-encoded response bytes straight through (wire.ts) and decode requests once.
import type { ServiceDefinition, Server, UntypedServiceImplementation } from '@grpc/grpc-js';
import { TypeUrl } from '../type-urls.js';
import { serveDelta } from './delta.js';
import type { DiscoveryServer } from './discovery-server.js';
import { serveSotw } from './sotw.js';
import type { AdsCall } from './stream.js';
import { decodeDeltaRequest, decodeSotwRequest, type DeltaRequest, type SotwRequest } from './wire.js';

const passThrough = (b: Buffer): Buffer => b;

function bidi<Req>(path: string, decode: (b: Buffer) => Req) {
  return {
    path,
    requestStream: true,
    responseStream: true,
    requestSerialize: (): Buffer => {
      throw new Error('server-side definition');
    },
    requestDeserialize: decode,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  };
}

/** [service, sotw method, delta method, type served (undefined: any, i.e. ADS)] */
const SERVICES: [string, string, string, string | undefined][] = [
  [
    'envoy.service.discovery.v3.AggregatedDiscoveryService',
    'StreamAggregatedResources',
    'DeltaAggregatedResources',
    undefined,
  ],
  ['envoy.service.cluster.v3.ClusterDiscoveryService', 'StreamClusters', 'DeltaClusters', TypeUrl.Cluster],
  [
    'envoy.service.endpoint.v3.EndpointDiscoveryService',
    'StreamEndpoints',
    'DeltaEndpoints',
    TypeUrl.ClusterLoadAssignment,
  ],
  [
    'envoy.service.listener.v3.ListenerDiscoveryService',
    'StreamListeners',
    'DeltaListeners',
    TypeUrl.Listener,
  ],
  ['envoy.service.route.v3.RouteDiscoveryService', 'StreamRoutes', 'DeltaRoutes', TypeUrl.RouteConfiguration],
  ['envoy.service.secret.v3.SecretDiscoveryService', 'StreamSecrets', 'DeltaSecrets', TypeUrl.Secret],
];

/** Adds ADS and the per-type xDS services, all backed by one DiscoveryServer, to a gRPC server. */
export function addXdsServices(grpcServer: Server, ds: DiscoveryServer): void {
  for (const [service, sotw, delta, type] of SERVICES) {
    const def = {
      [sotw]: bidi(`/${service}/${sotw}`, decodeSotwRequest),
      [delta]: bidi(`/${service}/${delta}`, decodeDeltaRequest),
    } as unknown as ServiceDefinition;
    const impl: UntypedServiceImplementation = {
      [sotw]: (call: AdsCall<SotwRequest>) => serveSotw(ds, call, type),
      [delta]: (call: AdsCall<DeltaRequest>) => serveDelta(ds, call, type),
    };
    grpcServer.addService(def, impl);
  }
}
