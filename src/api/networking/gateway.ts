// Gateway (networking.istio.io): servers (port, hosts, TLS) exposed by selected gateway proxies.
import { arr, map, obj, str, uint32, type Infer } from '../schema/dsl.js';
import { ServerTLSSettings } from './tls.js';

export const Port = obj(
  { number: uint32(), protocol: str(), name: str(), targetPort: uint32() },
  { required: ['number', 'protocol', 'name'] },
);
export type Port = Infer<typeof Port>;

export const Server = obj(
  { port: Port, bind: str(), hosts: arr(str()), tls: ServerTLSSettings, defaultEndpoint: str(), name: str() },
  { required: ['port', 'hosts'] },
);
export type Server = Infer<typeof Server>;

export const Gateway = obj({ servers: arr(Server), selector: map(str()) });
export type Gateway = Infer<typeof Gateway>;
