import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMtlsConflicts, tlsCheck, type DestinationRuleTls, type TlsCheckInput } from './conflicts.js';

const AD = {
  hostname: 'advertisement.weather.svc.cluster.local',
  name: 'advertisement',
  namespace: 'weather',
  ports: [{ port: 3003, name: 'http', targetPort: 8080 }],
  selector: { app: 'advertisement' },
};
const strict = { name: 'default', namespace: 'weather', spec: { mtls: { mode: 'STRICT' as const } } };
const dr = (
  mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL',
  host = 'advertisement',
): DestinationRuleTls => ({
  name: 'ad',
  namespace: 'weather',
  spec: { host, trafficPolicy: { tls: { mode } } },
});

test('STRICT server with a DestinationRule that disables TLS is a conflict', () => {
  const input: TlsCheckInput = {
    services: [AD],
    peerAuthentications: [strict],
    destinationRules: [dr('DISABLE')],
  };
  assert.deepEqual(tlsCheck(input), [
    {
      host: AD.hostname,
      port: 3003,
      status: 'CONFLICT',
      serverMode: 'STRICT',
      clientMode: 'DISABLE',
      authnPolicy: 'default/weather',
      destinationRule: 'ad/weather',
      message: 'the server requires mutual TLS (STRICT) but clients use tls.mode DISABLE',
    },
  ]);
  // istioctl counts only ISTIO_MUTUAL as mesh mTLS.
  for (const mode of ['SIMPLE', 'MUTUAL'] as const)
    assert.equal(findMtlsConflicts({ ...input, destinationRules: [dr(mode)] }).length, 1, mode);
});

test('ISTIO_MUTUAL or auto mTLS against STRICT is fine; without auto mTLS and a DR it is plaintext', () => {
  assert.deepEqual(
    findMtlsConflicts({
      services: [AD],
      peerAuthentications: [strict],
      destinationRules: [dr('ISTIO_MUTUAL')],
    }),
    [],
  );
  const [auto] = tlsCheck({ services: [AD], peerAuthentications: [strict] });
  assert.equal(auto!.clientMode, 'AUTO');
  assert.equal(auto!.status, 'OK');
  assert.equal(
    findMtlsConflicts({ services: [AD], peerAuthentications: [strict], autoMtls: false })[0]?.clientMode,
    'DISABLE',
  );
});

test('a plaintext-only server called with ISTIO_MUTUAL is a conflict; PERMISSIVE accepts anything', () => {
  const v11 = { kind: 'Policy' as const, name: 'default', namespace: 'weather', spec: {} };
  assert.equal(
    findMtlsConflicts({ services: [AD], authnPolicies: [v11], destinationRules: [dr('ISTIO_MUTUAL')] })[0]
      ?.serverMode,
    'DISABLE',
  );
  assert.deepEqual(findMtlsConflicts({ services: [AD], destinationRules: [dr('DISABLE')] }), []);
});

test('port-level DR settings, wildcard hosts and workload port policies are taken into account', () => {
  const wildcard = dr('ISTIO_MUTUAL', '*.weather.svc.cluster.local');
  const exact: DestinationRuleTls = {
    name: 'ad-port',
    namespace: 'weather',
    spec: {
      host: 'advertisement.weather.svc.cluster.local',
      trafficPolicy: { portLevelSettings: [{ port: { number: 3003 }, tls: { mode: 'DISABLE' } }] },
    },
  };
  const [row] = tlsCheck({
    services: [AD],
    peerAuthentications: [strict],
    destinationRules: [wildcard, exact],
  });
  assert.equal(row!.destinationRule, 'ad-port/weather');
  assert.equal(row!.status, 'CONFLICT');
  // portLevelMtls is keyed by the target port.
  const portPolicy = {
    name: 'ad',
    namespace: 'weather',
    spec: {
      selector: { matchLabels: { app: 'advertisement' } },
      portLevelMtls: { '8080': { mode: 'PERMISSIVE' as const } },
    },
  };
  assert.deepEqual(
    findMtlsConflicts({
      services: [AD],
      peerAuthentications: [strict, portPolicy],
      destinationRules: [exact],
    }),
    [],
  );
});
