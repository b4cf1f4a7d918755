// Path tricks against an RBAC path rule through a real proxy: with Istio's connection-manager
// settings (normalize_path, merge_slashes, escaped slashes unescaped) every spelling of /admin
// is matched as /admin, so an ALLOW on /public cannot be slipped past.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request, startProxy, staticCluster } from '../helpers.js';
import { bootstrap, countingUpstream, rbac, tempLog } from './fixtures.js';

const ALLOW_PUBLIC = rbac(`rules:
  action: ALLOW
  policies:
    public:
      permissions: [{url_path: {path: {prefix: /public}}}]
      principals: [{any: true}]`);

const NORMALIZE = `normalize_path: true
merge_slashes: true
path_with_escaped_slashes_action: UNESCAPE_AND_FORWARD`;

describe('path normalisation before RBAC', () => {
  it('/public is allowed; ../, %2e%2e, %2F and // tricks reaching /admin are denied', async () => {
    const up = await countingUpstream();
    const px = await startProxy(
      bootstrap({
        filters: ALLOW_PUBLIC,
        log: tempLog(),
        clusters: staticCluster('backend', [up.port]),
        hcmExtra: NORMALIZE,
      }),
    );
    try {
      const port = await px.port('http');
      const ok = await request(port, '/public//page/./x');
      assert.equal(ok.status, 200);
      assert.equal(up.seen.at(-1)!.url, '/public/page/x', 'the upstream sees the normalised path');
      for (const trick of [
        '/public/../admin',
        '/public/%2e%2e/admin',
        '/public/..%2Fadmin',
        '/public%2F..%2F..%2Fadmin',
        '//admin',
      ])
        assert.equal((await request(port, trick)).status, 403, trick);
      assert.equal((await request(port, '/public/%zz')).status, 400);
      assert.equal(up.seen.length, 1, 'no trick reached the upstream');
    } finally {
      await px.stop();
      await up.close();
    }
  });

  it("without normalisation the raw path is matched (what Istio's settings prevent)", async () => {
    const up = await countingUpstream();
    const px = await startProxy(
      bootstrap({ filters: ALLOW_PUBLIC, log: tempLog(), clusters: staticCluster('backend', [up.port]) }),
    );
    try {
      assert.equal((await request(await px.port('http'), '/public/../admin')).status, 200);
      assert.equal(up.seen.at(-1)!.url, '/public/../admin');
    } finally {
      await px.stop();
      await up.close();
    }
  });
});
