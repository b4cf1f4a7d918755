// Table-driven checks of Istio's rules for DestinationRule, Gateway, ServiceEntry, Sidecar and
// the smaller networking kinds: each invalid case names the field path and Istio's message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkResource } from '../validate.js';
import { formatPath } from '../schema/dsl.js';

type Spec = Record<string, unknown>;
/** [name, spec, expected error as [path, message fragment]] — no expectation means valid. */
type Case = [string, Spec, [string, string]?];

function run(kind: string, cases: Case[], meta: { name?: string; version?: string } = {}): void {
  for (const [name, spec, expected] of cases) {
    test(name, () => {
      const errors = checkResource({
        apiVersion: `networking.istio.io/${meta.version ?? 'v1'}`,
        kind,
        metadata: { name: meta.name ?? 'x', namespace: 'default' },
        spec,
      })
        .filter((i) => i.severity === 'error')
        .map((i) => ({ path: formatPath(i.path), message: i.message }));
      if (!expected) return assert.deepEqual(errors, []);
      assert.ok(
        errors.some((e) => e.path === expected[0] && e.message.includes(expected[1])),
        `expected ${expected[0]}: …${expected[1]}…, got ${JSON.stringify(errors, null, 1)}`,
      );
    });
  }
}

const dr = (trafficPolicy: Spec, extra: Spec = {}): Spec => ({ host: 'reviews', trafficPolicy, ...extra });
const lb = (loadBalancer: Spec, extra: Spec = {}): Spec => dr({ loadBalancer, ...extra });
const pool = (connectionPool: Spec): Spec => dr({ connectionPool });
const outlier = (outlierDetection: Spec): Spec => dr({ outlierDetection });
const tls = (t: Spec): Spec => dr({ tls: t });

describe('DestinationRule', () => {
  run('DestinationRule', [
    [
      'subsets by version',
      {
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'V2', labels: { version: 'v2' } },
        ],
      },
    ],
    [
      'cookie consistent hash',
      lb({
        consistentHash: {
          httpCookie: { name: 'user', ttl: '60s', attributes: [{ name: 'SameSite', value: 'Strict' }] },
        },
      }),
    ],
    [
      'maglev with a prime table',
      lb({ consistentHash: { useSourceIp: true, maglev: { tableSize: 65537 } } }),
    ],
    [
      'locality distribute',
      lb({
        localityLbSetting: {
          distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }],
        },
      }),
    ],
    [
      'locality failover with outlier detection',
      lb(
        { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
        { outlierDetection: { consecutive5xxErrors: 5 } },
      ),
    ],
    [
      'circuit breaker of scenario 20',
      pool({ tcp: { maxConnections: 3 }, http: { http1MaxPendingRequests: 5, maxRequestsPerConnection: 1 } }),
    ],
    [
      'outlier detection of scenario 21',
      outlier({ consecutiveErrors: 2, interval: '10s', baseEjectionTime: '2m', maxEjectionPercent: 40 }),
    ],
    ['tcp idle timeout 0s disables it', pool({ tcp: { idleTimeout: '0s' } })],
    [
      'per-port settings',
      dr({ portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: 'LEAST_REQUEST' } }] }),
    ],
    [
      'mutual TLS with files',
      tls({ mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem', caCertificates: '/ca.pem' }),
    ],
    ['tunnel', dr({ tunnel: { protocol: 'CONNECT', targetHost: 'proxy.example.com', targetPort: 3128 } })],
    [
      'workload selector with its own namespace',
      { host: 'r', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['.'] },
    ],
    ['empty host', { host: '' }, ['spec.host', 'empty domain name not allowed']],
    ['host with underscore', { host: 'bad_host' }, ['spec.host', 'domain name "bad_host" invalid']],
    [
      'duplicate subsets',
      { host: 'r', subsets: [{ name: 'v1' }, { name: 'v1' }] },
      ['spec.subsets[1].name', 'duplicate subset names: v1'],
    ],
    [
      'subset name with a dot',
      { host: 'r', subsets: [{ name: 'v1.0' }] },
      ['spec.subsets[0].name', 'subset name is invalid: v1.0'],
    ],
    [
      'subset without name',
      { host: 'r', subsets: [{ labels: { a: 'b' } }] },
      ['spec.subsets[0].name', 'Required value'],
    ],
    [
      'subset label key',
      { host: 'r', subsets: [{ name: 'v1', labels: { 'bad key': 'b' } }] },
      ['spec.subsets[0].labels["bad key"]', 'invalid label key'],
    ],
    ['empty traffic policy', dr({}), ['spec.trafficPolicy', 'traffic policy must have at least one field']],
    [
      'simple and consistent hash',
      lb({ simple: 'RANDOM', consistentHash: { useSourceIp: true } }),
      ['spec.trafficPolicy.loadBalancer', 'only one of simple, consistentHash'],
    ],
    [
      'unknown simple policy',
      lb({ simple: 'FASTEST' }),
      ['spec.trafficPolicy.loadBalancer.simple', 'Unsupported value: "FASTEST"'],
    ],
    [
      'cookie without name',
      lb({ consistentHash: { httpCookie: { ttl: '1s' } } }),
      ['spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name', 'Required value'],
    ],
    [
      'duplicate cookie attribute',
      lb({ consistentHash: { httpCookie: { name: 'u', attributes: [{ name: 'a' }, { name: 'a' }] } } }),
      [
        'spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[1].name',
        'duplicate cookie attribute name: a',
      ],
    ],
    [
      'maglev table not prime',
      lb({ consistentHash: { useSourceIp: true, maglev: { tableSize: 100 } } }),
      [
        'spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize',
        'tableSize must be a prime number for maglev',
      ],
    ],
    [
      'ring size with ring hash',
      lb({
        consistentHash: { useSourceIp: true, minimumRingSize: 1024, ringHash: { minimumRingSize: 1024 } },
      }),
      [
        'spec.trafficPolicy.loadBalancer.consistentHash',
        'only one of MinimumRingSize or Maglev/Ringhash can be specified',
      ],
    ],
    [
      'two hash keys',
      lb({ consistentHash: { useSourceIp: true, httpHeaderName: 'x' } }),
      [
        'spec.trafficPolicy.loadBalancer.consistentHash',
        'only one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName',
      ],
    ],
    [
      'warmup twice',
      lb({ warmupDurationSecs: '10s', warmup: { duration: '10s' } }),
      ['spec.trafficPolicy.loadBalancer', 'only one of warmupDurationSecs, warmup'],
    ],
    [
      'locality and zone aware',
      lb({ localityLbSetting: { enabled: true }, zoneAwareLbSetting: { enabled: true } }),
      ['spec.trafficPolicy.loadBalancer', 'only one of localityLbSetting, zoneAwareLbSetting'],
    ],
    [
      'locality weights not 100',
      lb({ localityLbSetting: { distribute: [{ from: 'a/b/*', to: { 'a/b/*': 50, 'a/c/*': 40 } }] } }),
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to',
        'total locality weight 90 != 100',
      ],
    ],
    [
      'locality weight 0',
      lb({ localityLbSetting: { distribute: [{ from: 'a', to: { a: 0, b: 100 } }] } }),
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to',
        'locality weight must be in range [1, 100]',
      ],
    ],
    [
      'distribute and failover',
      lb({
        localityLbSetting: {
          distribute: [{ from: 'a', to: { a: 100 } }],
          failover: [{ from: 'a', to: 'b' }],
        },
      }),
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting',
        "can not simultaneously specify 'distribute' and 'failover'",
      ],
    ],
    [
      'failover to the same region',
      lb({ localityLbSetting: { failover: [{ from: 'a', to: 'a' }] } }),
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]',
        'locality lb failover settings must specify different regions',
      ],
    ],
    [
      'failover with topology priority',
      lb({
        localityLbSetting: {
          failover: [{ from: 'a', to: 'b' }],
          failoverPriority: ['topology.kubernetes.io/region'],
        },
      }),
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority',
        "can not simultaneously set 'failover' and topology label",
      ],
    ],
    [
      'locality wildcard in the middle',
      lb({ localityLbSetting: { distribute: [{ from: 'us-*/z', to: { a: 100 } }] } }),
      [
        'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute',
        "wildcard '*' number can not exceed 1 and must be in the end",
      ],
    ],
    [
      'empty connection pool',
      pool({}),
      ['spec.trafficPolicy.connectionPool', 'connection pool must have at least one field'],
    ],
    [
      'negative max connections',
      pool({ tcp: { maxConnections: -1 } }),
      ['spec.trafficPolicy.connectionPool.tcp.maxConnections', 'max connections must be non-negative'],
    ],
    [
      'negative pending requests',
      pool({ http: { http1MaxPendingRequests: -1 } }),
      [
        'spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests',
        'http1 max pending requests must be non-negative',
      ],
    ],
    [
      'upgrade with client protocol',
      pool({ http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } }),
      [
        'spec.trafficPolicy.connectionPool.http',
        'use client protocol must not be true when H2UpgradePolicy is UPGRADE',
      ],
    ],
    [
      'connect timeout below 1ms',
      pool({ tcp: { connectTimeout: '100us' } }),
      ['spec.trafficPolicy.connectionPool.tcp.connectTimeout', 'greater than 1ms'],
    ],
    [
      'keepalive without timeout',
      pool({ http: { http2KeepAlive: { interval: '10s' } } }),
      [
        'spec.trafficPolicy.connectionPool.http.http2KeepAlive.timeout',
        'http2 keepalive timeout is required',
      ],
    ],
    [
      'ejection percent above 100',
      outlier({ maxEjectionPercent: 150 }),
      ['spec.trafficPolicy.outlierDetection.maxEjectionPercent', 'percentage 150 is not in range 0..100'],
    ],
    [
      'local origin failures without split',
      outlier({ consecutiveLocalOriginFailures: 3 }),
      [
        'spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures',
        'split external local origin errors is set to false',
      ],
    ],
    [
      'outlier interval 0s',
      outlier({ interval: '0s' }),
      ['spec.trafficPolicy.outlierDetection.interval', 'greater than 1ms'],
    ],
    [
      'outlier error code below 100',
      outlier({ outlierDetectionHttpErrorCodes: [99] }),
      [
        'spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes[0]',
        'greater than or equal to 100',
      ],
    ],
    [
      'mutual TLS without client cert',
      tls({ mode: 'MUTUAL', caCertificates: '/ca.pem' }),
      ['spec.trafficPolicy.tls.clientCertificate', 'client certificate required for mutual tls'],
    ],
    [
      'credentialName with inline CA',
      tls({ mode: 'SIMPLE', credentialName: 'c', caCertificates: '/ca.pem' }),
      [
        'spec.trafficPolicy.tls',
        'cannot specify client certificates or CA certificate or CA CRL If credentialName is set',
      ],
    ],
    [
      'insecureSkipVerify with a CA',
      tls({ mode: 'SIMPLE', insecureSkipVerify: true, caCertificates: '/ca.pem' }),
      [
        'spec.trafficPolicy.tls',
        'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true',
      ],
    ],
    [
      'unknown TLS mode',
      tls({ mode: 'STRICT' }),
      ['spec.trafficPolicy.tls.mode', 'Unsupported value: "STRICT"'],
    ],
    [
      'tunnel protocol',
      dr({ tunnel: { protocol: 'GET', targetHost: 'p.com', targetPort: 80 } }),
      ['spec.trafficPolicy.tunnel.protocol', 'tunnel protocol must be "CONNECT" or "POST"'],
    ],
    [
      'tunnel without port',
      dr({ tunnel: { targetHost: 'p.com' } }),
      ['spec.trafficPolicy.tunnel.targetPort', 'Required value'],
    ],
    [
      'tunnel and proxy protocol',
      dr({ tunnel: { targetHost: 'p.com', targetPort: 80 }, proxyProtocol: { version: 'V1' } }),
      ['spec.trafficPolicy', 'tunnel and proxyProtocol must not be set together'],
    ],
    [
      'port settings without port',
      dr({ portLevelSettings: [{ tls: { mode: 'DISABLE' } }] }),
      ['spec.trafficPolicy.portLevelSettings[0].port', 'portTrafficPolicy must have valid port'],
    ],
    [
      'port settings with only a port',
      dr({ portLevelSettings: [{ port: { number: 80 } }] }),
      ['spec.trafficPolicy.portLevelSettings[0]', 'port traffic policy must have at least one field'],
    ],
    [
      'selector with exportTo *',
      { host: 'r', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['*'] },
      [
        'spec.exportTo',
        'destination rule with workload selector cannot have exportTo beyond current namespace',
      ],
    ],
  ]);
});

const server = (s: Spec): Spec => ({ selector: { istio: 'ingressgateway' }, servers: [s] });
const http80 = { number: 80, name: 'http', protocol: 'HTTP' };
const https443 = { number: 443, name: 'https', protocol: 'HTTPS' };

describe('Gateway', () => {
  run('Gateway', [
    ['HTTP on 80 for all hosts', server({ port: http80, hosts: ['*'] })],
    [
      'SIMPLE with a credential',
      server({
        port: https443,
        hosts: ['www.weather.com'],
        tls: { mode: 'SIMPLE', credentialName: 'weather-cert' },
      }),
    ],
    [
      'MUTUAL with files',
      server({
        port: https443,
        hosts: ['*.weather.com'],
        tls: { mode: 'MUTUAL', serverCertificate: '/s.pem', privateKey: '/k.pem', caCertificates: '/ca.pem' },
      }),
    ],
    ['httpsRedirect on HTTP', server({ port: http80, hosts: ['*'], tls: { httpsRedirect: true } })],
    [
      'TLS passthrough',
      server({
        port: { number: 443, name: 'tls', protocol: 'TLS' },
        hosts: ['ns/*.example.com'],
        tls: { mode: 'PASSTHROUGH' },
      }),
    ],
    [
      'AUTO_PASSTHROUGH for multi-network',
      server({
        port: { number: 15443, name: 'tls', protocol: 'TLS' },
        hosts: ['*.local'],
        tls: { mode: 'AUTO_PASSTHROUGH' },
      }),
    ],
    ['TCP on 31400', server({ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] })],
    ['IP address host', server({ port: http80, hosts: ['10.0.0.1'] })],
    [
      'no servers',
      { selector: { istio: 'ingressgateway' }, servers: [] },
      ['spec.servers', 'gateway must have at least one server'],
    ],
    [
      'server without hosts',
      server({ port: http80, hosts: [] }),
      ['spec.servers[0].hosts', 'server config must contain at least one host'],
    ],
    [
      'short host name',
      server({ port: http80, hosts: ['reviews'] }),
      ['spec.servers[0].hosts[0]', 'short names (non FQDN) are not allowed'],
    ],
    [
      'partial wildcard host',
      server({ port: http80, hosts: ['foo*.example.com'] }),
      ['spec.servers[0].hosts[0]', 'partial wildcard "foo*.example.com" not allowed'],
    ],
    [
      'bad host namespace',
      server({ port: http80, hosts: ['Bad_NS/a.com'] }),
      ['spec.servers[0].hosts[0]', 'invalid namespace value "Bad_NS" in gateway'],
    ],
    [
      'port 0',
      server({ port: { ...http80, number: 0 }, hosts: ['*'] }),
      ['spec.servers[0].port.number', 'port must be between 1-65535'],
    ],
    [
      'port above 65535',
      server({ port: { ...http80, number: 70000 }, hosts: ['*'] }),
      ['spec.servers[0].port.number', 'port must be between 1-65535'],
    ],
    [
      'unknown protocol',
      server({ port: { ...http80, protocol: 'FTP' }, hosts: ['*'] }),
      ['spec.servers[0].port.protocol', 'invalid protocol "FTP"'],
    ],
    [
      'empty port name',
      server({ port: { ...http80, name: '' }, hosts: ['*'] }),
      ['spec.servers[0].port.name', 'port name must be set'],
    ],
    [
      'target port',
      server({ port: { ...http80, targetPort: 8080 }, hosts: ['*'] }),
      ['spec.servers[0].port.targetPort', 'targetPort has no impact on Gateways'],
    ],
    [
      'HTTPS without TLS',
      server({ port: https443, hosts: ['*'] }),
      ['spec.servers[0].tls', 'server must have TLS settings for HTTPS/TLS protocols'],
    ],
    [
      'HTTP with SIMPLE TLS',
      server({ port: http80, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'c' } }),
      ['spec.servers[0].tls', 'server cannot have TLS settings for plain text HTTP ports'],
    ],
    [
      'TCP with TLS',
      server({
        port: { number: 1, name: 'tcp', protocol: 'TCP' },
        hosts: ['*'],
        tls: { mode: 'SIMPLE', credentialName: 'c' },
      }),
      ['spec.servers[0].tls', 'server cannot have TLS settings for non HTTPS/TLS ports'],
    ],
    [
      'SIMPLE without certificate',
      server({ port: https443, hosts: ['*'], tls: { mode: 'SIMPLE' } }),
      ['spec.servers[0].tls.serverCertificate', 'SIMPLE TLS requires a server certificate'],
    ],
    [
      'SIMPLE without key',
      server({ port: https443, hosts: ['*'], tls: { mode: 'SIMPLE', serverCertificate: '/s.pem' } }),
      ['spec.servers[0].tls.privateKey', 'SIMPLE TLS requires a private key'],
    ],
    [
      'MUTUAL without client CA',
      server({
        port: https443,
        hosts: ['*'],
        tls: { mode: 'MUTUAL', serverCertificate: '/s.pem', privateKey: '/k.pem' },
      }),
      ['spec.servers[0].tls.caCertificates', 'MUTUAL TLS requires a client CA bundle'],
    ],
    [
      'ISTIO_MUTUAL with a credential',
      server({ port: https443, hosts: ['*'], tls: { mode: 'ISTIO_MUTUAL', credentialName: 'c' } }),
      ['spec.servers[0].tls.credentialName', 'ISTIO_MUTUAL TLS cannot have associated credentialName'],
    ],
    [
      'credentialName and credentialNames',
      server({
        port: https443,
        hosts: ['*'],
        tls: { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] },
      }),
      ['spec.servers[0].tls', 'only one of credentialName, credentialNames'],
    ],
    [
      'two certificate sources',
      server({
        port: https443,
        hosts: ['*'],
        tls: { mode: 'SIMPLE', credentialName: 'a', serverCertificate: '/s', privateKey: '/k' },
      }),
      [
        'spec.servers[0].tls',
        'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified',
      ],
    ],
    [
      'CRL with SIMPLE',
      server({
        port: https443,
        hosts: ['*'],
        tls: { mode: 'SIMPLE', serverCertificate: '/s', privateKey: '/k', caCrl: '/crl' },
      }),
      ['spec.servers[0].tls.caCrl', 'CRL is not supported with SIMPLE TLS'],
    ],
    [
      'duplicate port names',
      {
        servers: [
          { port: http80, hosts: ['*'] },
          { port: { ...http80, number: 8080 }, hosts: ['*'] },
        ],
      },
      ['spec.servers[1].port.name', 'port names in servers must be unique: duplicate name http'],
    ],
    [
      'bind not an IP',
      server({ port: http80, hosts: ['*'], bind: 'localhost' }),
      ['spec.servers[0].bind', 'localhost is not a valid IP'],
    ],
    [
      'unix bind with a port number',
      server({ port: http80, hosts: ['*'], bind: 'unix:///var/run/gw.sock' }),
      ['spec.servers[0].port.number', 'port number must be 0 for unix domain socket'],
    ],
  ]);
  run(
    'Gateway',
    [
      [
        'name with a dot',
        server({ port: http80, hosts: ['*'] }),
        ['metadata.name', 'invalid gateway name: "my.gw"'],
      ],
    ],
    { name: 'my.gw' },
  );
});

const se = (s: Spec): Spec => ({ hosts: ['api.example.com'], ...s });
const httpPort = { number: 80, name: 'http', protocol: 'HTTP' };

describe('ServiceEntry', () => {
  run('ServiceEntry', [
    ['external DNS service', se({ ports: [httpPort], resolution: 'DNS', location: 'MESH_EXTERNAL' })],
    [
      'static endpoints',
      se({
        ports: [httpPort],
        resolution: 'STATIC',
        endpoints: [{ address: '10.0.0.1', ports: { http: 8080 } }],
      }),
    ],
    [
      'internal service selecting workloads',
      se({
        ports: [httpPort],
        resolution: 'STATIC',
        location: 'MESH_INTERNAL',
        workloadSelector: { labels: { app: 'vm' } },
      }),
    ],
    [
      'dynamic DNS with a wildcard',
      { hosts: ['*.example.com'], ports: [httpPort], resolution: 'DYNAMIC_DNS', location: 'MESH_EXTERNAL' },
    ],
    ['visible to nobody', se({ ports: [httpPort], exportTo: ['~'] })],
    [
      'unix endpoint with one port',
      se({ ports: [httpPort], resolution: 'STATIC', endpoints: [{ address: 'unix:///var/run/a.sock' }] }),
    ],
    ['no hosts', { hosts: [] }, ['spec.hosts', 'should have at least 1 item']],
    ['host *', { hosts: ['*'] }, ['spec.hosts[0]', 'hostname cannot be wildcard']],
    [
      'DNS wildcard without endpoints',
      { hosts: ['*.example.com'], resolution: 'DNS' },
      [
        'spec.hosts',
        'hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS',
      ],
    ],
    [
      'STATIC endpoint with a host name',
      se({ ports: [httpPort], resolution: 'STATIC', endpoints: [{ address: 'db.example.com' }] }),
      ['spec.endpoints[0].address', 'endpoint address "db.example.com" is not a valid IP address'],
    ],
    [
      'endpoint port not declared',
      se({
        ports: [httpPort],
        resolution: 'STATIC',
        endpoints: [{ address: '10.0.0.1', ports: { grpc: 8080 } }],
      }),
      ['spec.endpoints[0].ports.grpc', 'endpoint port 8080 is not defined by the service entry'],
    ],
    [
      'port name with underscore',
      se({ ports: [{ number: 80, name: 'http_1' }] }),
      ['spec.ports[0].name', 'invalid port name: http_1'],
    ],
    [
      'unknown protocol',
      se({ ports: [{ number: 80, name: 'a', protocol: 'FTP' }] }),
      ['spec.ports[0].protocol', 'unsupported protocol: FTP'],
    ],
    [
      'CIDR prefix too long',
      se({ addresses: ['1.2.3.4/33'] }),
      ['spec.addresses[0]', '1.2.3.4/33 is not a valid CIDR block'],
    ],
    ['address not an IP', se({ addresses: ['bogus'] }), ['spec.addresses[0]', 'bogus is not a valid IP']],
    [
      'CIDR with DNS',
      se({ addresses: ['10.0.0.0/8'], resolution: 'DNS' }),
      ['spec.addresses', 'CIDR addresses are allowed only for NONE/STATIC resolution types'],
    ],
    [
      'dynamic DNS without wildcard',
      se({ resolution: 'DYNAMIC_DNS', location: 'MESH_EXTERNAL' }),
      ['spec.hosts[0]', 'host must be wildcarded for resolution mode DYNAMIC_DNS'],
    ],
    [
      'dynamic DNS with a TCP port',
      { hosts: ['*.a.com'], resolution: 'DYNAMIC_DNS', ports: [{ number: 1, name: 'tcp', protocol: 'TCP' }] },
      [
        'spec.ports[0].protocol',
        'only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS',
      ],
    ],
    [
      'several hosts with a TCP port',
      { hosts: ['a.com', 'b.com'], resolution: 'DNS', ports: [{ number: 1, name: 'tcp', protocol: 'TCP' }] },
      ['spec.ports', 'multiple hosts provided with non-HTTP, non-TLS ports'],
    ],
    [
      'exportTo ~ with others',
      se({ exportTo: ['~', 'foo'] }),
      ['spec.exportTo', 'cannot export service entry to no one (~) and someone'],
    ],
    [
      'unknown location',
      se({ location: 'MESH_NEARBY' }),
      ['spec.location', 'Unsupported value: "MESH_NEARBY"'],
    ],
    [
      'unix endpoint with two service ports',
      se({
        ports: [httpPort, { number: 81, name: 'b' }],
        resolution: 'STATIC',
        endpoints: [{ address: 'unix:///a.sock' }],
      }),
      ['spec.endpoints[0].address', 'exactly 1 service port required for unix endpoints'],
    ],
  ]);
});

const egress = (hosts: string[], extra: Spec = {}): Spec => ({ egress: [{ hosts, ...extra }] });
const ingress = (l: Spec): Spec => ({
  ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, ...l }],
});

describe('Sidecar', () => {
  run('Sidecar', [
    [
      'scenario 23 egress scope',
      {
        workloadSelector: { labels: { app: 'sleep' } },
        egress: [{ hosts: ['default/*', 'istio-system/*'] }],
      },
    ],
    ['current namespace and excluded namespace', egress(['./*', '~istio-system/*', '*/api.example.com'])],
    ['ingress with a default endpoint', ingress({ defaultEndpoint: '127.0.0.1:8080' })],
    ['registry only', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }],
    [
      'egress proxy with ALLOW_ANY',
      {
        outboundTrafficPolicy: {
          mode: 'ALLOW_ANY',
          egressProxy: { host: 'egress.example.com', port: { number: 3128 } },
        },
      },
    ],
    [
      'unix socket egress listener',
      egress(['*/*'], { port: { number: 0, protocol: 'HTTP' }, bind: 'unix:///var/run/app.sock' }),
    ],
    ['empty sidecar', {}, ['spec', 'sidecar: empty configuration provided']],
    [
      'host without namespace',
      egress(['reviews.default.svc.cluster.local']),
      ['spec.egress[0].hosts[0]', 'host must be of form namespace/dnsName'],
    ],
    [
      'bad namespace',
      egress(['Bad_NS/*']),
      ['spec.egress[0].hosts[0]', 'invalid namespace value "Bad_NS" in sidecar'],
    ],
    [
      'short egress host',
      egress(['default/reviews']),
      ['spec.egress[0].hosts[0]', 'short names (non FQDN) are not allowed'],
    ],
    [
      'egress without hosts',
      egress([]),
      ['spec.egress[0].hosts', 'sidecar: egress listener must contain at least one host'],
    ],
    [
      'catch-all egress not last',
      { egress: [{ hosts: ['*/*'] }, { port: { number: 80, protocol: 'HTTP' }, hosts: ['*/*'] }] },
      ['spec.egress[0]', 'the egress listener with empty port should be the last listener in the list'],
    ],
    [
      'duplicate egress ports',
      {
        egress: [
          { port: { number: 80 }, hosts: ['*/*'] },
          { port: { number: 80 }, hosts: ['*/*'] },
        ],
      },
      ['spec.egress[1].port', 'sidecar: ports on IP bound listeners must be unique'],
    ],
    [
      'duplicate ingress ports',
      { ingress: [{ port: { number: 80 } }, { port: { number: 80 } }] },
      ['spec.ingress[1].port', 'sidecar: ports on IP bound listeners must be unique'],
    ],
    [
      'ingress port 0',
      { ingress: [{ port: { number: 0 } }] },
      ['spec.ingress[0].port.number', 'port must be between 1-65535'],
    ],
    ['ingress without port', { ingress: [{ bind: '0.0.0.0' }] }, ['spec.ingress[0].port', 'Required value']],
    [
      'default endpoint on another host',
      ingress({ defaultEndpoint: '10.0.0.1:8080' }),
      ['spec.ingress[0].defaultEndpoint', 'defaultEndpoint must be of form 127.0.0.1:<port>'],
    ],
    [
      'default endpoint port not a number',
      ingress({ defaultEndpoint: '127.0.0.1:http' }),
      ['spec.ingress[0].defaultEndpoint', 'sidecar: defaultEndpoint port (http) is not a number'],
    ],
    [
      'ingress TLS on an HTTP port',
      ingress({ tls: { mode: 'SIMPLE', serverCertificate: '/s', privateKey: '/k' } }),
      ['spec.ingress[0].tls', 'server cannot have TLS settings for non HTTPS/TLS ports'],
    ],
    [
      'ingress TLS ISTIO_MUTUAL',
      { ingress: [{ port: { number: 443, protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL' } }] },
      ['spec.ingress[0].tls.mode', 'cannot set mode to ISTIO_MUTUAL in sidecar ingress tls'],
    ],
    [
      'ingress TLS credentialName',
      {
        ingress: [{ port: { number: 443, protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'c' } }],
      },
      ['spec.ingress[0].tls', 'sidecar: credentialName is not currently supported'],
    ],
    [
      'port 0 without a unix bind',
      egress(['*/*'], { port: { number: 0 } }),
      ['spec.egress[0].bind', 'ports with 0 value must have a unix domain socket bind address'],
    ],
    [
      'unix listener with IPTABLES capture',
      egress(['*/*'], { port: { number: 0 }, bind: 'unix:///a.sock', captureMode: 'IPTABLES' }),
      ['spec.egress[0].captureMode', 'captureMode must be DEFAULT/NONE for unix domain socket listeners'],
    ],
    [
      'egress proxy with REGISTRY_ONLY',
      {
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'e.com', port: { number: 1 } } },
      },
      [
        'spec.outboundTrafficPolicy.egressProxy',
        'egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode',
      ],
    ],
    [
      'egress proxy without port',
      { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'e.com' } } },
      ['spec.outboundTrafficPolicy.egressProxy.port', 'sidecar: egress_proxy port must be non-nil'],
    ],
    [
      'unknown capture mode',
      egress(['*/*'], { captureMode: 'TPROXY' }),
      ['spec.egress[0].captureMode', 'Unsupported value: "TPROXY"'],
    ],
    [
      'bind not an IP',
      egress(['*/*'], { port: { number: 80 }, bind: 'eth0' }),
      ['spec.egress[0].bind', 'eth0 is not a valid IP'],
    ],
    [
      'wildcard selector',
      { workloadSelector: { labels: { app: '*' } }, egress: [{ hosts: ['*/*'] }] },
      ['spec.workloadSelector.labels.app', 'wildcard is not supported in selector'],
    ],
    [
      'target port',
      ingress({ port: { number: 80, targetPort: 8080 } }),
      ['spec.ingress[0].port.targetPort', 'targetPort has no impact on Sidecars'],
    ],
    [
      'unknown port protocol',
      ingress({ port: { number: 80, protocol: 'FTP' } }),
      ['spec.ingress[0].port.protocol', 'unsupported protocol: FTP'],
    ],
  ]);
});

describe('EnvoyFilter, WorkloadGroup and ProxyConfig', () => {
  const patch = (cp: Spec): Spec => ({ configPatches: [cp] });
  run(
    'EnvoyFilter',
    [
      [
        'missing applyTo',
        patch({ patch: { operation: 'REMOVE' } }),
        ['spec.configPatches[0].applyTo', 'Envoy filter: missing applyTo'],
      ],
      [
        'missing patch value',
        patch({ applyTo: 'CLUSTER', patch: { operation: 'ADD' } }),
        ['spec.configPatches[0].patch.value', 'missing patch value for non-remove operation'],
      ],
      [
        'sub-filter match on a network filter',
        patch({
          applyTo: 'NETWORK_FILTER',
          match: {
            listener: {
              filterChain: {
                filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'x' } },
              },
            },
          },
          patch: { operation: 'REMOVE' },
        }),
        [
          'spec.configPatches[0].match.listener.filterChain.filter.subFilter',
          'subfilter match can be used with applyTo HTTP_FILTER only',
        ],
      ],
      [
        'cluster patch with a listener match',
        patch({
          applyTo: 'CLUSTER',
          match: { listener: { portNumber: 80 } },
          patch: { operation: 'REMOVE' },
        }),
        ['spec.configPatches[0].match', 'applyTo for cluster class objects cannot have non cluster match'],
      ],
      [
        'proxy version regex',
        patch({
          applyTo: 'CLUSTER',
          match: { proxy: { proxyVersion: '(1.2' } },
          patch: { operation: 'REMOVE' },
        }),
        ['spec.configPatches[0].match.proxy.proxyVersion', 'missing closing )'],
      ],
      [
        'targetRefs and selector',
        { workloadSelector: { labels: { a: 'b' } }, targetRefs: [{ kind: 'Service', name: 's' }] },
        ['spec', 'only one of workloadSelector, targetRefs'],
      ],
    ],
    { version: 'v1alpha3' },
  );
  run('WorkloadGroup', [
    [
      'exec probe without command',
      { template: {}, probe: { exec: {} } },
      ['spec.probe.exec.command', 'Required value'],
    ],
    [
      'bad probe scheme',
      { template: {}, probe: { httpGet: { port: 80, scheme: 'FTP' } } },
      ['spec.probe.httpGet.scheme', 'Unsupported value: "FTP"'],
    ],
  ]);
  run(
    'ProxyConfig',
    [['negative concurrency', { concurrency: -1 }, ['spec.concurrency', 'greater than or equal to 0']]],
    {
      version: 'v1beta1',
    },
  );
});
