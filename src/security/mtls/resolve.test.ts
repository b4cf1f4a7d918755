import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  resolveMtls,
  resolveMtlsMode,
  type AuthnPolicyConfig,
  type PeerAuthenticationConfig,
} from './resolve.js';

const W = { namespace: 'weather', labels: { app: 'advertisement', version: 'v1' } };
const pa = (name: string, namespace: string, spec: PeerAuthenticationConfig['spec'], creationTime = 0) => ({
  name,
  namespace,
  spec,
  creationTime,
});

test('no policy: PERMISSIVE', () => {
  assert.equal(resolveMtlsMode({}, W, { port: 3003 }), 'PERMISSIVE');
});

test('mesh < namespace < workload < port, with UNSET inheriting', () => {
  const mesh = pa('default', 'istio-system', { mtls: { mode: 'STRICT' } });
  const ns = pa('default', 'weather', { mtls: { mode: 'PERMISSIVE' } });
  const wl = pa('ad', 'weather', {
    selector: { matchLabels: { app: 'advertisement' } },
    mtls: { mode: 'UNSET' },
    portLevelMtls: { '3003': { mode: 'DISABLE' }, '3004': { mode: 'UNSET' } },
  });
  assert.equal(resolveMtlsMode({ peerAuthentications: [mesh] }, W, { port: 1 }), 'STRICT');
  assert.equal(resolveMtlsMode({ peerAuthentications: [mesh, ns] }, W, { port: 1 }), 'PERMISSIVE');
  const all = { peerAuthentications: [mesh, ns, wl] };
  const byPa = (name: string) => ({ kind: 'PeerAuthentication', name, namespace: 'weather' });
  assert.deepEqual(resolveMtls(all, W, { port: 1 }), {
    mode: 'PERMISSIVE',
    policy: 'default/weather',
    source: byPa('default'),
  });
  assert.deepEqual(resolveMtls(all, W, { port: 3003 }), {
    mode: 'DISABLE',
    policy: 'ad/weather',
    source: byPa('ad'),
  });
  assert.equal(resolveMtlsMode(all, W, { port: 3004 }), 'PERMISSIVE');
});

test('a custom root namespace, other namespaces and non-matching selectors do not apply', () => {
  const policies = [
    pa('default', 'mesh-root', { mtls: { mode: 'STRICT' } }),
    pa('default', 'other', { mtls: { mode: 'DISABLE' } }),
    pa('fe', 'weather', { selector: { matchLabels: { app: 'frontend' } }, mtls: { mode: 'DISABLE' } }),
    // A selector in the root namespace is not a workload policy for other namespaces.
    pa('sel', 'mesh-root', {
      selector: { matchLabels: { app: 'advertisement' } },
      mtls: { mode: 'DISABLE' },
    }),
  ];
  assert.equal(
    resolveMtlsMode({ peerAuthentications: policies, rootNamespace: 'mesh-root' }, W, { port: 1 }),
    'STRICT',
  );
});

test('the oldest policy of a level wins', () => {
  const older = pa('b', 'weather', { mtls: { mode: 'STRICT' } }, 1);
  const newer = pa('a', 'weather', { mtls: { mode: 'DISABLE' } }, 2);
  assert.equal(resolveMtlsMode({ peerAuthentications: [newer, older] }, W, { port: 1 }), 'STRICT');
});

const svc = { name: 'advertisement', namespace: 'weather', port: 3003, portName: 'http' };
const v11 = (
  kind: 'Policy' | 'MeshPolicy',
  name: string,
  namespace: string | undefined,
  spec: AuthnPolicyConfig['spec'],
) => ({
  kind,
  name,
  namespace,
  spec,
});

test('Istio 1.1 Policy/MeshPolicy: targeted > namespace default > mesh default', () => {
  const mesh = v11('MeshPolicy', 'default', undefined, { peers: [{ mtls: {} }] });
  const ns = v11('Policy', 'default', 'weather', { peers: [{ mtls: { mode: 'PERMISSIVE' } }] });
  const targeted = v11('Policy', 'ad', 'weather', {
    targets: [{ name: 'advertisement', ports: [{ number: 3003 }] }],
  });
  const at = (authnPolicies: AuthnPolicyConfig[], port = svc) =>
    resolveMtls({ authnPolicies }, W, { port: 3003, service: port });
  assert.deepEqual(at([mesh]), {
    mode: 'STRICT',
    policy: 'default/',
    source: { kind: 'MeshPolicy', name: 'default' },
  });
  assert.deepEqual(at([mesh, ns]), {
    mode: 'PERMISSIVE',
    policy: 'default/weather',
    source: { kind: 'Policy', name: 'default', namespace: 'weather' },
  });
  // The targeted policy has no peers: plaintext only for that port.
  assert.deepEqual(at([mesh, ns, targeted]).policy, 'ad/weather');
  assert.equal(at([mesh, ns, targeted]).mode, 'DISABLE');
  assert.equal(at([mesh, ns, targeted], { ...svc, port: 3004 }).mode, 'PERMISSIVE');
  const byName = v11('Policy', 'byname', 'weather', {
    targets: [{ name: 'advertisement', ports: [{ name: 'http' }] }],
    peers: [{ mtls: {} }],
  });
  assert.equal(at([ns, byName]).mode, 'STRICT');
});

test('PeerAuthentication in scope takes precedence over 1.1 policies', () => {
  const config = {
    peerAuthentications: [pa('default', 'weather', { mtls: { mode: 'DISABLE' } })],
    authnPolicies: [v11('MeshPolicy', 'default', undefined, { peers: [{ mtls: {} }] })],
  };
  assert.equal(resolveMtlsMode(config, W, { port: 3003, service: svc }), 'DISABLE');
});
