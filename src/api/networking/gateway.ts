// Gateway (networking.istio.io): servers (port, hosts, TLS) exposed by selected gateway proxies,
// with Istio's rules for server ports, binds, hosts and TLS per protocol.
import { arr, map, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { checkNamespacedHost } from './hosts.js';
import { isHttpProtocol, isTlsProtocol, parseProtocol, UNIX_PREFIX, unixAddressError } from './rules.js';
import { ipError } from '../common.js';
import { ServerTLSSettings } from './tls.js';

export const Port = obj(
  { number: uint32(), protocol: str(), name: str(), targetPort: uint32() },
  { required: ['number', 'protocol', 'name'] },
);
export type Port = Infer<typeof Port>;

function checkServerPortAndBind(port: Port, bind: string, path: Path, sink: Sink): boolean {
  let ok = true;
  const fail = (p: Path, msg: string): void => {
    sink.error(p, msg);
    ok = false;
  };
  if (!parseProtocol(port.protocol))
    fail(
      [...path, 'port', 'protocol'],
      `invalid protocol "${port.protocol}", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP`,
    );
  const isUnix = bind.startsWith(UNIX_PREFIX);
  const n = port.number ?? 0;
  if ((n > 0 || !isUnix) && !(n >= 1 && n <= 65535))
    fail([...path, 'port', 'number'], `port must be between 1-65535, got ${n}`);
  if (port.targetPort) fail([...path, 'port', 'targetPort'], 'targetPort has no impact on Gateways');
  if (!port.name) fail([...path, 'port', 'name'], 'port name must be set');
  if (isUnix) {
    const e = unixAddressError(bind.slice(UNIX_PREFIX.length));
    if (e) sink.error([...path, 'bind'], e);
    if (n !== 0) sink.error([...path, 'port', 'number'], 'port number must be 0 for unix domain socket');
  } else if (bind) {
    const e = ipError(bind);
    if (e) sink.error([...path, 'bind'], e);
  }
  return ok;
}

export const Server = obj(
  { port: Port, bind: str(), hosts: arr(str()), tls: ServerTLSSettings, defaultEndpoint: str(), name: str() },
  { required: ['port', 'hosts'] },
).refine((s, path, sink) => {
  const hosts = s.hosts ?? [];
  if (hosts.length === 0) sink.error([...path, 'hosts'], 'server config must contain at least one host');
  hosts.forEach((h, i) => checkNamespacedHost(h, true, [...path, 'hosts', i], sink));
  if (!s.port || !checkServerPortAndBind(s.port, s.bind ?? '', path, sink)) return;
  const proto = s.port.protocol;
  if (isTlsProtocol(proto) && !s.tls)
    sink.error([...path, 'tls'], 'server must have TLS settings for HTTPS/TLS protocols');
  else if (!isTlsProtocol(proto) && s.tls) {
    // A plain HTTP server may only carry httpsRedirect (a passthrough TLS block without certificates).
    const t = s.tls;
    const passthrough = (t.mode ?? 'PASSTHROUGH') === 'PASSTHROUGH';
    if (isHttpProtocol(proto)) {
      if (!passthrough || t.caCertificates || t.privateKey || t.serverCertificate)
        sink.error([...path, 'tls'], 'server cannot have TLS settings for plain text HTTP ports');
    } else sink.error([...path, 'tls'], 'server cannot have TLS settings for non HTTPS/TLS ports');
  }
});
export type Server = Infer<typeof Server>;

export const Gateway = obj({ servers: arr(Server), selector: map(str()) }).refine((g, path, sink) => {
  const servers = g.servers ?? [];
  if (servers.length === 0) sink.error([...path, 'servers'], 'gateway must have at least one server');
  const names = new Set<string>();
  servers.forEach((s, i) => {
    const name = s.port?.name;
    if (name === undefined) return;
    if (names.has(name))
      sink.error(
        [...path, 'servers', i, 'port', 'name'],
        `port names in servers must be unique: duplicate name ${name}`,
      );
    names.add(name);
    if (!isHttpProtocol(s.port?.protocol) && s.tls?.httpsRedirect)
      sink.warn(
        [...path, 'servers', i, 'tls', 'httpsRedirect'],
        'tls.httpsRedirect should only be used with http servers',
      );
  });
});
export type Gateway = Infer<typeof Gateway>;
