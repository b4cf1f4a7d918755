// Pod networking without capture: addresses, mesh-only routes, hosts-file names, VIPs, the
// proxy uid, and that nothing can route out of the mesh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MeshNetwork } from '../../src/runtime/net/mesh-network.js';
import type { PodNetwork } from '../../src/runtime/net/pod.js';
import { stateFile, type RunState } from '../../src/runtime/net/state.js';
import { run } from '../../src/runtime/net/exec.js';
import { httpFromPod, OUTSIDE_ADDRESS, startFixture, TestNetwork } from './helpers.js';

const resolve = async (pod: PodNetwork, name: string): Promise<string | undefined> =>
  (await pod.exec('getent', ['hosts', name]).catch(() => '')).split(/\s+/)[0] || undefined;

describe('pod network', () => {
  const network = new TestNetwork();
  let mesh: MeshNetwork;
  let web: PodNetwork;
  let other: PodNetwork;
  after(() => network.cleanup());
  before(async () => {
    mesh = await network.create();
    web = await mesh.createPodNetwork({ name: 'web-1', namespace: 'shop' });
    other = await mesh.createPodNetwork({ name: 'client', namespace: 'tools' });
  });

  test('pods get distinct addresses from the pod CIDR and reach each other over the bridge', async () => {
    const prefix = mesh.podCidr.split('.').slice(0, 3).join('.');
    assert.equal(web.ip, `${prefix}.2`, 'the first host address is the gateway');
    assert.equal(other.ip, `${prefix}.3`);
    await startFixture(web, 'server.mjs', ['web', '8080']);
    assert.deepEqual((await httpFromPod(other, web.ip, 8080)).body, { pod: 'web', remote: other.ip });
  });

  test('pods have routes for the pod and service CIDRs only, and no default route', async () => {
    const routes = JSON.parse(await web.exec('ip', ['-j', 'route', 'show'])) as { dst: string }[];
    assert.deepEqual(routes.map((r) => r.dst).sort(), [mesh.podCidr, mesh.serviceCidr].sort());
    const res = await httpFromPod(web, OUTSIDE_ADDRESS, 80);
    assert.equal(res.error, 'ENETUNREACH');
    assert.ok((res.ms ?? Infinity) < 1000);
  });

  test('an app in a pod cannot add a route out, even as root', async () => {
    const proc = web.spawn('ip', ['route', 'add', 'default', 'via', mesh.gateway]);
    let err = '';
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise((r) => proc.on('close', r));
    assert.notEqual(code, 0);
    assert.match(err, /Operation not permitted/);
  });

  test('processes run as the requested uid, e.g. the proxy as 1337', async () => {
    const proc = web.spawn('id', ['-u'], { uid: 1337 });
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    await new Promise((r) => proc.on('close', r));
    assert.equal(out.trim(), '1337');
  });

  test('service names resolve to their VIP through the pod hosts file, Kubernetes-style', async () => {
    const vip = mesh.allocateServiceVip({ name: 'web', namespace: 'shop' });
    assert.equal(mesh.allocateServiceVip({ name: 'web', namespace: 'shop' }), vip, 'stable per service');
    assert.notEqual(mesh.allocateServiceVip({ name: 'cart', namespace: 'shop' }), vip);
    assert.equal(await resolve(web, 'web'), vip, 'short name in the same namespace');
    assert.equal(await resolve(web, 'web.shop.svc.cluster.local'), vip);
    assert.equal(await resolve(other, 'web.shop'), vip);
    assert.equal(await resolve(other, 'web'), undefined, 'no short name from another namespace');
    mesh.releaseServiceVip({ name: 'web', namespace: 'shop' });
    assert.equal(await resolve(other, 'web.shop'), undefined, 'released names disappear');
  });

  test('allocations are recorded, and a destroyed pod frees its address and namespace', async () => {
    const state = JSON.parse(readFileSync(stateFile(network.stateDir, mesh.runId), 'utf8')) as RunState;
    assert.equal(state.pods['shop/web-1']?.ip, web.ip);
    assert.equal(state.services['shop/cart'], mesh.serviceAddresses().find((s) => s.name === 'cart')?.vip);
    const temp = await mesh.createPodNetwork({ name: 'temp', namespace: 'shop' });
    await mesh.destroyPodNetwork(temp);
    assert.doesNotMatch(await run('ip', ['netns', 'list']), new RegExp(temp.netns.replace(/\./g, '\\.')));
    const again = await mesh.createPodNetwork({ name: 'again', namespace: 'shop' });
    assert.equal(again.ip, temp.ip);
  });

  test('a pod CIDR that overlaps a route on this machine is refused', async () => {
    const routed = (JSON.parse(await run('ip', ['-j', '-4', 'route', 'show'])) as { dst: string }[]).find(
      (r) => r.dst.includes('/'),
    );
    assert.ok(routed, 'the machine has at least one connected route');
    await assert.rejects(
      MeshNetwork.create({ stateDir: network.stateDir, podCidr: routed.dst }),
      /overlaps .* on this machine/,
    );
  });
});
