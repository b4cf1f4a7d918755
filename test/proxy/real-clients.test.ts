// The proxy with clients nobody here wrote: curl over HTTP/1.1 and HTTP/2 (prior knowledge), and
// h2load multiplexing many streams over few connections; every request must succeed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { httpBootstrap, startProxy, staticCluster, type Running } from './helpers.js';
import { countingUpstream, type CountingUpstream } from './resilience/fixtures.js';

const run = promisify(execFile);
const has = async (bin: string): Promise<boolean> =>
  run('sh', ['-c', `command -v ${bin}`]).then(
    () => true,
    () => false,
  );

describe('real clients through the proxy', async () => {
  const missing =
    (await has('curl')) && (await has('h2load')) ? false : 'needs curl and h2load (apt nghttp2-client)';
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    if (missing) return;
    up = await countingUpstream();
    px = await startProxy(
      httpBootstrap(
        `virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: backend}}]}]`,
        staticCluster('backend', [up.port]),
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    if (missing) return;
    await px.stop();
    await up.close();
  });

  it('curl over HTTP/1.1 and HTTP/2 prior knowledge', { skip: missing }, async () => {
    const h1 = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{http_version}',
      `http://127.0.0.1:${port}/h1`,
    ]);
    assert.equal(h1.stdout, '200 1.1');
    const h2 = await run('curl', [
      '-s',
      '--http2-prior-knowledge',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{http_version}',
      `http://127.0.0.1:${port}/h2`,
    ]);
    assert.equal(h2.stdout, '200 2');
    assert.deepEqual(
      up.seen.slice(-2).map((r) => r.url),
      ['/h1', '/h2'],
    );
  });

  it(
    'h2load: 400 requests, 10 streams at a time on each of 4 connections, all 2xx',
    { skip: missing },
    async () => {
      const before = up.seen.length;
      const { stdout } = await run(
        'h2load',
        ['-n', '400', '-c', '4', '-m', '10', `http://127.0.0.1:${port}/load`],
        {
          timeout: 60_000,
        },
      );
      assert.match(stdout, /requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored/);
      assert.match(stdout, /status codes: 400 2xx/);
      assert.equal(up.seen.length - before, 400);
    },
  );
});
