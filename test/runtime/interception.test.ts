// End to end through real namespaces and iptables: pod A's client → A's sidecar (15001) →
// B's sidecar (15006) → B's app, with the exemptions istio-iptables promises.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyCapture } from '../../src/runtime/iptables/apply.js';
import { sidecarDefaults, type CaptureConfig } from '../../src/runtime/iptables/config.js';
import { parseCidr, type Cidr } from '../../src/runtime/net/cidr.js';
import type { PodNetwork } from '../../src/runtime/net/pod.js';
import { httpFromPod, OUTSIDE_ADDRESS, startFixture, TestNetwork, type PodProcess } from './helpers.js';

const PROXY_UID = 1337;
const APP_PORT = 8080;

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

describe('transparent interception between two pods', () => {
  let a: PodNetwork;
  let b: PodNetwork;
  let sidecarA: PodProcess;
  let sidecarB: PodProcess;
  let vip: string;

  const startSidecar = (pod: PodNetwork, args: string[], tproxy = false): Promise<PodProcess> =>
    startFixture(pod, 'sidecar.mjs', [tproxy ? 'tproxy' : 'redirect', ...args], {
      uid: PROXY_UID,
      // IP_TRANSPARENT on the inbound listener needs CAP_NET_ADMIN, as for Envoy in Istio.
      capabilities: tproxy ? ['net_admin'] : [],
    });
  const capture = async (pod: PodNetwork, overrides: Partial<CaptureConfig> = {}): Promise<void> => {
    await applyCapture(pod.netns, { ...sidecarDefaults(), ...overrides });
  };
  const clearLogs = (): void => {
    sidecarA.lines.length = 0;
    sidecarB.lines.length = 0;
  };

  const network = new TestNetwork();
  // Killing the pods' processes is part of cleanup (it removes everything in their namespaces).
  after(() => network.cleanup());
  before(async () => {
    const mesh = await network.create();
    [a, b] = await Promise.all([
      mesh.createPodNetwork({ name: 'a', namespace: 'test' }),
      mesh.createPodNetwork({ name: 'b', namespace: 'test' }),
    ]);
    vip = mesh.allocateServiceVip({ name: 'b', namespace: 'test' });
    await Promise.all([capture(a), capture(b)]);
    [sidecarA, sidecarB] = await Promise.all([
      startSidecar(a, [`${vip}:80=${b.ip}:${APP_PORT}`]),
      startSidecar(b, []),
      startFixture(b, 'server.mjs', ['b', String(APP_PORT)]),
    ]);
  });

  test('the client reaches B through both sidecars, each seeing the original destination', async () => {
    clearLogs();
    const res = await httpFromPod(a, b.ip, APP_PORT);
    assert.equal(res.status, 200, JSON.stringify(res));
    // B's sidecar delivered it over loopback.
    assert.deepEqual(res.body, { pod: 'b', remote: '127.0.0.1' });
    // Exactly one outbound capture: the sidecar's own upstream (uid 1337) was not re-captured.
    assert.deepEqual(
      sidecarA.lines.map((l) => [l.listener, l.to]),
      [['outbound', `${b.ip}:${APP_PORT}`]],
    );
    assert.deepEqual(
      sidecarB.lines.map((l) => [l.listener, l.to, l.from?.split(':')[0]]),
      [['inbound', `${b.ip}:${APP_PORT}`, a.ip]],
    );
  });

  test('a service VIP is captured before routing and resolved by the sidecar', async () => {
    clearLogs();
    const res = await httpFromPod(a, vip, 80);
    assert.equal(res.body?.pod, 'b');
    assert.deepEqual(
      sidecarA.lines.map((l) => l.to),
      [`${vip}:80`],
    );
  });

  test('an excluded outbound CIDR bypasses the outbound sidecar', async (t) => {
    await capture(a, { outboundIpRangesExclude: [cidr(`${b.ip}/32`)] });
    t.after(() => capture(a));
    clearLogs();
    const res = await httpFromPod(a, b.ip, APP_PORT);
    assert.equal(res.body?.pod, 'b');
    assert.deepEqual(sidecarA.lines, []);
    assert.equal(sidecarB.lines.length, 1, 'B still captures inbound');
  });

  test('an excluded inbound port reaches the app directly', async (t) => {
    await capture(b, { inboundPortsExclude: [APP_PORT] });
    t.after(() => capture(b));
    clearLogs();
    const res = await httpFromPod(a, b.ip, APP_PORT);
    assert.deepEqual(res.body, { pod: 'b', remote: a.ip });
    assert.equal(sidecarA.lines.length, 1);
    assert.deepEqual(sidecarB.lines, []);
  });

  test('traffic of the proxy uid 1337 is not captured', async () => {
    clearLogs();
    const res = await httpFromPod(a, b.ip, APP_PORT, PROXY_UID);
    assert.equal(res.body?.pod, 'b');
    assert.deepEqual(sidecarA.lines, []);
    assert.equal(sidecarB.lines.length, 1);
  });

  test('an app calling itself over loopback or its own pod IP is not captured', async () => {
    clearLogs();
    assert.deepEqual((await httpFromPod(b, '127.0.0.1', APP_PORT)).body, { pod: 'b', remote: '127.0.0.1' });
    assert.deepEqual((await httpFromPod(b, b.ip, APP_PORT)).body, { pod: 'b', remote: b.ip });
    assert.deepEqual(sidecarB.lines, []);
  });

  test('an address outside the mesh fails at once with ENETUNREACH, capture or not', async () => {
    const res = await httpFromPod(a, OUTSIDE_ADDRESS, 80);
    assert.equal(res.error, 'ENETUNREACH');
    assert.ok((res.ms ?? Infinity) < 1000, `took ${res.ms} ms`);
  });

  test('TPROXY inbound: the sidecar sees the destination as its local address', async () => {
    sidecarB.proc.kill('SIGKILL');
    await capture(b, { interceptionMode: 'TPROXY' });
    const tproxySidecar = await startSidecar(b, [], true);
    clearLogs();
    const res = await httpFromPod(a, b.ip, APP_PORT);
    assert.deepEqual(res.body, { pod: 'b', remote: '127.0.0.1' });
    assert.deepEqual(
      tproxySidecar.lines.map((l) => [l.listener, l.to, l.from?.split(':')[0]]),
      [['inbound', `${b.ip}:${APP_PORT}`, a.ip]],
    );
  });
});
