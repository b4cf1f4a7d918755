// Translation tests: DestinationRule and ServiceEntry → outbound clusters (scenarios 10–13, 20, 21, 35).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAll, setupMesh, sidecarProxy } from '../../../../test/simulation/harness.js';
import { simulate } from '../../../../test/simulation/simulator.js';
import { pods, services, VIPS } from '../../../../test/simulation/weather-fixture.js';

type Obj = Record<string, unknown>;
const AD = 'advertisement.weather.svc.cluster.local';

function clusters(yaml: string, mesh = {}): Obj[] {
  const m = setupMesh({ yaml, services, pods: Object.values(pods), mesh });
  return generateAll(sidecarProxy(pods.frontendV1), m.push).clusters;
}

function adRule(policy: string, extra = ''): string {
  return `
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: advertisement-dr, namespace: weather }
spec:
  host: advertisement
  trafficPolicy:
${policy}
${extra}`;
}

const get = (list: Obj[], name: string): Obj => {
  const found = list.find((x) => x.name === name);
  assert.ok(found, `cluster ${name} missing`);
  return found;
};

const protocolOptions = (cl: Obj): Obj =>
  (cl.typed_extension_protocol_options as Record<string, Obj>)[
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
  ]!;

describe('load balancer', () => {
  for (const [simple, policy] of [
    ['ROUND_ROBIN', 'ROUND_ROBIN'],
    ['RANDOM', 'RANDOM'],
    ['LEAST_CONN', 'LEAST_REQUEST'],
    ['LEAST_REQUEST', 'LEAST_REQUEST'],
  ] as const)
    test(`simple ${simple} → lb_policy ${policy}`, () => {
      const cl = get(clusters(adRule(`    loadBalancer: { simple: ${simple} }`)), `outbound|3003||${AD}`);
      assert.equal(cl.lb_policy, policy);
      assert.equal(cl.type, 'EDS');
    });

  test('PASSTHROUGH → ORIGINAL_DST with the cluster-provided balancer', () => {
    const cl = get(clusters(adRule(`    loadBalancer: { simple: PASSTHROUGH }`)), `outbound|3003||${AD}`);
    assert.equal(cl.type, 'ORIGINAL_DST');
    assert.equal(cl.lb_policy, 'CLUSTER_PROVIDED');
  });

  test('12: consistentHash httpCookie → RING_HASH cluster and a cookie hash policy on the route', () => {
    const yaml = adRule(
      `    loadBalancer:\n      consistentHash:\n        httpCookie: { name: user, ttl: 60s }`,
    );
    const m = setupMesh({ yaml, services, pods: Object.values(pods) });
    const gen = generateAll(sidecarProxy(pods.frontendV1), m.push);
    const cl = get(gen.clusters, `outbound|3003||${AD}`);
    assert.equal(cl.lb_policy, 'RING_HASH');
    assert.deepEqual(cl.ring_hash_lb_config, { minimum_ring_size: { value: 1024 } });
    const r = simulate(gen, {
      address: VIPS.advertisement,
      port: 3003,
      host: 'advertisement:3003',
      path: '/ad',
    });
    assert.deepEqual((r.routeObject?.route as Obj).hash_policy, [
      { cookie: { name: 'user', ttl: { seconds: 60, nanos: 0 } } },
    ]);
  });

  test('consistentHash by header, source IP and query parameter; maglev', () => {
    for (const [spec, expected] of [
      ['httpHeaderName: x-user', { header: { header_name: 'x-user' } }],
      ['useSourceIp: true', { connection_properties: { source_ip: true } }],
      ['httpQueryParameterName: user', { query_parameter: { name: 'user' } }],
    ] as const) {
      const m = setupMesh({
        yaml: adRule(`    loadBalancer:\n      consistentHash: { ${spec} }`),
        services,
        pods: Object.values(pods),
      });
      const gen = generateAll(sidecarProxy(pods.frontendV1), m.push);
      const r = simulate(gen, {
        address: VIPS.advertisement,
        port: 3003,
        host: 'advertisement:3003',
        path: '/ad',
      });
      assert.deepEqual((r.routeObject?.route as Obj).hash_policy, [expected]);
    }
    const maglev = get(
      clusters(
        adRule(
          `    loadBalancer:\n      consistentHash: { httpHeaderName: x-user, maglev: { tableSize: 65537 } }`,
        ),
      ),
      `outbound|3003||${AD}`,
    );
    assert.equal(maglev.lb_policy, 'MAGLEV');
    assert.deepEqual(maglev.maglev_lb_config, { table_size: { value: 65537 } });
  });
});

describe('connection pool and outlier detection', () => {
  test('20: limits become circuit breaker thresholds and HTTP protocol options', () => {
    const cl = get(
      clusters(
        adRule(`    connectionPool:
      tcp: { maxConnections: 3, connectTimeout: 250ms, tcpKeepalive: { probes: 3, time: 7200s, interval: 75s } }
      http: { http1MaxPendingRequests: 5, maxRequestsPerConnection: 1, http2MaxRequests: 7, maxRetries: 2, idleTimeout: 30s }`),
      ),
      `outbound|3003||${AD}`,
    );
    assert.deepEqual((cl.circuit_breakers as Obj).thresholds, [
      {
        max_connections: { value: 3 },
        max_pending_requests: { value: 5 },
        max_requests: { value: 7 },
        max_retries: { value: 2 },
        track_remaining: true,
      },
    ]);
    assert.deepEqual(cl.connect_timeout, { seconds: 0, nanos: 250000000 });
    assert.deepEqual(cl.upstream_connection_options, {
      tcp_keepalive: {
        keepalive_probes: { value: 3 },
        keepalive_time: { value: 7200 },
        keepalive_interval: { value: 75 },
      },
    });
    const opts = protocolOptions(cl);
    assert.deepEqual(opts.common_http_protocol_options, {
      max_requests_per_connection: { value: 1 },
      idle_timeout: { seconds: 30, nanos: 0 },
    });
    assert.deepEqual(opts.explicit_http_config, { http_protocol_options: {} });
  });

  test('without a pool, thresholds stay at their maximum and the mesh connect timeout applies', () => {
    const cl = get(clusters('', { connectTimeout: '2s' }), `outbound|3003||${AD}`);
    const t = ((cl.circuit_breakers as Obj).thresholds as Obj[])[0]!;
    assert.deepEqual(t.max_connections, { value: 4294967295 });
    assert.deepEqual(cl.connect_timeout, { seconds: 2, nanos: 0 });
  });

  test('28: a port named http2 speaks HTTP/2 upstream, http stays HTTP/1.1, tcp has no HTTP options', () => {
    const list = clusters('');
    const gw = get(list, 'outbound|80||istio-ingressgateway.istio-system.svc.cluster.local');
    assert.deepEqual(protocolOptions(gw).explicit_http_config, { http2_protocol_options: {} });
    assert.deepEqual(protocolOptions(get(list, `outbound|3003||${AD}`)).explicit_http_config, {
      http_protocol_options: {},
    });
    assert.equal(
      get(list, 'outbound|9000||tcp-echo.weather.svc.cluster.local').typed_extension_protocol_options,
      undefined,
    );
  });

  test('h2UpgradePolicy UPGRADE and http2 ports speak HTTP/2 upstream', () => {
    const cl = get(
      clusters(adRule(`    connectionPool:\n      http: { h2UpgradePolicy: UPGRADE }`)),
      `outbound|3003||${AD}`,
    );
    assert.deepEqual(protocolOptions(cl).explicit_http_config, { http2_protocol_options: {} });
  });

  test('21: consecutiveErrors counts gateway errors only; ejection settings carry over', () => {
    const cl = get(
      clusters(
        adRule(
          `    outlierDetection: { consecutiveErrors: 2, interval: 10s, baseEjectionTime: 2m, maxEjectionPercent: 40 }`,
        ),
      ),
      `outbound|3003||${AD}`,
    );
    const od = cl.outlier_detection as Obj;
    assert.deepEqual(od.consecutive_gateway_failure, { value: 2 });
    assert.deepEqual(od.enforcing_consecutive_gateway_failure, { value: 100 });
    assert.deepEqual(od.enforcing_consecutive_5xx, { value: 0 });
    assert.deepEqual(od.interval, { seconds: 10, nanos: 0 });
    assert.deepEqual(od.base_ejection_time, { seconds: 120, nanos: 0 });
    assert.deepEqual(od.max_ejection_percent, { value: 40 });
    assert.deepEqual((cl.common_lb_config as Obj).healthy_panic_threshold, { value: 0 });
  });

  test('consecutive5xxErrors, local-origin failures and minHealthPercent', () => {
    const cl = get(
      clusters(
        adRule(
          `    outlierDetection: { consecutive5xxErrors: 4, splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 3, minHealthPercent: 50 }`,
        ),
      ),
      `outbound|3003||${AD}`,
    );
    const od = cl.outlier_detection as Obj;
    assert.deepEqual(od.consecutive_5xx, { value: 4 });
    assert.deepEqual(od.enforcing_consecutive_5xx, { value: 100 });
    assert.equal(od.split_external_local_origin_errors, true);
    assert.deepEqual(od.consecutive_local_origin_failure, { value: 3 });
    assert.deepEqual((cl.common_lb_config as Obj).healthy_panic_threshold, { value: 50 });
  });
});

describe('subsets and port-level settings', () => {
  test('a subset policy overrides the rule; port-level settings override per port', () => {
    const list = clusters(
      adRule(
        `    loadBalancer: { simple: RANDOM }
    portLevelSettings:
    - port: { number: 3003 }
      connectionPool: { tcp: { maxConnections: 9 } }`,
        `  subsets:
  - name: v1
    labels: { version: v1 }
  - name: v2
    labels: { version: v2 }
    trafficPolicy:
      loadBalancer: { simple: LEAST_REQUEST }`,
      ),
    );
    assert.equal(get(list, `outbound|3003||${AD}`).lb_policy, 'RANDOM');
    assert.equal(get(list, `outbound|3003|v1|${AD}`).lb_policy, 'RANDOM');
    assert.equal(get(list, `outbound|3003|v2|${AD}`).lb_policy, 'LEAST_REQUEST');
    const t = ((get(list, `outbound|3003|v2|${AD}`).circuit_breakers as Obj).thresholds as Obj[])[0]!;
    assert.deepEqual(t.max_connections, { value: 9 });
    assert.deepEqual(
      (get(list, `outbound|3003|v1|${AD}`).eds_cluster_config as Obj).service_name,
      `outbound|3003|v1|${AD}`,
    );
  });
});

describe('upstream TLS', () => {
  const tlsOf = (cl: Obj): Obj => (cl.transport_socket as Obj).typed_config as Obj;

  test('auto mTLS: endpoints with a sidecar get ISTIO_MUTUAL by transport socket match', () => {
    const cl = get(clusters(''), `outbound|3003||${AD}`);
    const [m] = cl.transport_socket_matches as Obj[];
    assert.deepEqual(m!.match, { fields: { tlsMode: { stringValue: 'istio' } } });
    const ctx = ((m!.transport_socket as Obj).typed_config as Obj).common_tls_context as Obj;
    assert.equal(((ctx.tls_certificate_sds_secret_configs as Obj[])[0] as Obj).name, 'default');
    assert.equal(
      ((ctx.combined_validation_context as Obj).validation_context_sds_secret_config as Obj).name,
      'ROOTCA',
    );
    assert.equal(cl.transport_socket, undefined);
    assert.equal(
      get(clusters('', { enableAutoMtls: false }), `outbound|3003||${AD}`).transport_socket_matches,
      undefined,
    );
  });

  test('35: ISTIO_MUTUAL verifies the SPIFFE identities of the service and sets Istio SNI', () => {
    const cl = get(clusters(adRule(`    tls: { mode: ISTIO_MUTUAL }`)), `outbound|3003||${AD}`);
    const ctx = tlsOf(cl);
    assert.equal(ctx.sni, `outbound_.3003_._.${AD}`);
    const validation = (ctx.common_tls_context as Obj).combined_validation_context as Obj;
    assert.deepEqual((validation.default_validation_context as Obj).match_subject_alt_names, [
      { exact: 'spiffe://cluster.local/ns/weather/sa/default' },
    ]);
    assert.deepEqual((ctx.common_tls_context as Obj).alpn_protocols, ['istio-peer-exchange', 'istio']);
  });

  test('DISABLE turns TLS off, auto mTLS included', () => {
    const cl = get(clusters(adRule(`    tls: { mode: DISABLE }`)), `outbound|3003||${AD}`);
    assert.equal(cl.transport_socket, undefined);
    assert.equal(cl.transport_socket_matches, undefined);
  });

  test('SIMPLE and MUTUAL with files use file-root/file-cert SDS names, SNI and SANs', () => {
    const simple = tlsOf(
      get(
        clusters(
          adRule(
            `    tls: { mode: SIMPLE, caCertificates: /etc/ca.pem, sni: ad.example, subjectAltNames: [ad.example] }`,
          ),
        ),
        `outbound|3003||${AD}`,
      ),
    );
    assert.equal(simple.sni, 'ad.example');
    const sv = (simple.common_tls_context as Obj).combined_validation_context as Obj;
    assert.equal((sv.validation_context_sds_secret_config as Obj).name, 'file-root:/etc/ca.pem');
    assert.deepEqual((sv.default_validation_context as Obj).match_subject_alt_names, [
      { exact: 'ad.example' },
    ]);
    assert.equal((simple.common_tls_context as Obj).tls_certificate_sds_secret_configs, undefined);
    const mutual = tlsOf(
      get(
        clusters(
          adRule(
            `    tls: { mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem }`,
          ),
        ),
        `outbound|3003||${AD}`,
      ),
    );
    assert.equal(
      (((mutual.common_tls_context as Obj).tls_certificate_sds_secret_configs as Obj[])[0] as Obj).name,
      'file-cert:/c.pem~/k.pem',
    );
    const cred = tlsOf(
      get(clusters(adRule(`    tls: { mode: MUTUAL, credentialName: ad-cred }`)), `outbound|3003||${AD}`),
    );
    const cc = cred.common_tls_context as Obj;
    // credentialName secrets come from the control plane over ADS, with Istio's names.
    assert.deepEqual((cc.tls_certificate_sds_secret_configs as Obj[])[0], {
      name: 'kubernetes://ad-cred',
      sds_config: { ads: {}, resource_api_version: 'V3' },
    });
    assert.deepEqual((cc.combined_validation_context as Obj).validation_context_sds_secret_config, {
      name: 'kubernetes://ad-cred-cacert',
      sds_config: { ads: {}, resource_api_version: 'V3' },
    });
  });
});

describe('ServiceEntry resolution', () => {
  const entry = (resolution: string, extra = ''): string => `
apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: { name: ext, namespace: weather }
spec:
  hosts: [api.example.com]
  ports: [{ number: 443, name: tls, protocol: TLS }]
  location: MESH_EXTERNAL
  resolution: ${resolution}
${extra}`;

  for (const [resolution, type] of [
    ['NONE', 'ORIGINAL_DST'],
    ['DNS', 'STRICT_DNS'],
    ['DNS_ROUND_ROBIN', 'LOGICAL_DNS'],
  ] as const)
    test(`${resolution} → ${type}`, () => {
      const cl = get(clusters(entry(resolution)), 'outbound|443||api.example.com');
      assert.equal(cl.type, type);
      assert.equal(cl.transport_socket_matches, undefined, 'no auto mTLS to mesh-external hosts');
    });

  test('DNS without endpoints resolves the host itself', () => {
    const cl = get(clusters(entry('DNS')), 'outbound|443||api.example.com');
    const lb = (((cl.load_assignment as Obj).endpoints as Obj[])[0]!.lb_endpoints as Obj[])[0]!;
    assert.deepEqual(((lb.endpoint as Obj).address as Obj).socket_address, {
      address: 'api.example.com',
      port_value: 443,
    });
  });

  test('STATIC endpoints are served over EDS with per-port targets', () => {
    const m = setupMesh({
      yaml: entry(
        'STATIC',
        `  addresses: [240.0.0.1]\n  endpoints:\n  - address: 192.0.2.1\n    ports: { tls: 8443 }\n    labels: { version: v1 }`,
      ),
      services,
      pods: Object.values(pods),
    });
    const gen = generateAll(sidecarProxy(pods.frontendV1), m.push);
    assert.equal(get(gen.clusters, 'outbound|443||api.example.com').type, 'EDS');
    const cla = gen.endpoints.find((e) => e.cluster_name === 'outbound|443||api.example.com')!;
    const lb = ((cla.endpoints as Obj[])[0]!.lb_endpoints as Obj[])[0]!;
    assert.deepEqual(((lb.endpoint as Obj).address as Obj).socket_address, {
      address: '192.0.2.1',
      port_value: 8443,
    });
    assert.ok(gen.listeners.some((l) => l.name === '240.0.0.1_443'));
  });
});
