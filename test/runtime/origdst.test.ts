// @weft/origdst: the original destination of a REDIRECTed connection, and IP_TRANSPARENT for
// TPROXY listeners, exercised in a real pod namespace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import origdst from '@weft/origdst';
import type { PodNetwork } from '../../src/runtime/net/pod.js';
import { jsonFromPod, TestNetwork } from './helpers.js';

describe('@weft/origdst', () => {
  const network = new TestNetwork();
  let pod: PodNetwork;
  after(() => network.cleanup());
  before(async () => {
    const mesh = await network.create();
    pod = await mesh.createPodNetwork({ name: 'probe', namespace: 'test' });
    await pod.exec('iptables', [
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '--dport',
      '9999',
      '-j',
      'REDIRECT',
      '--to-ports',
      '15001',
    ]);
  });

  test('getOriginalDst returns where a REDIRECTed connection was going', async () => {
    const dst = await jsonFromPod(pod, 'origdst-probe.mjs', ['redirect', pod.ip, '9999']);
    assert.deepEqual(dst, { address: pod.ip, port: 9999, family: 4 });
  });

  test('getOriginalDst reports a bad descriptor as an error, not a crash', () => {
    assert.throws(() => origdst.getOriginalDst(-1), /SO_ORIGINAL_DST.*Bad file descriptor/);
  });

  test('setTransparent needs CAP_NET_ADMIN, as Envoy does under TPROXY', async () => {
    assert.deepEqual(
      await jsonFromPod(pod, 'origdst-probe.mjs', ['transparent'], {
        uid: 1337,
        capabilities: ['net_admin'],
      }),
      {
        ok: true,
      },
    );
    const denied = await jsonFromPod<{ error: string }>(pod, 'origdst-probe.mjs', ['transparent'], {
      uid: 1337,
    });
    assert.match(denied.error, /Operation not permitted/);
  });
});
