// envoy.filters.http.jwt_authn through a real proxy, in Istio's RequestAuthentication shape
// (requires_any [provider, allow_missing]) plus a strict route: tokens signed with jose, one
// provider with inline JWKS (RS256), one fetching its JWKS from a local server through a cluster
// (ES256). Valid → 200 with the token stripped and the payload forwarded; bad signature, expiry,
// unknown issuer → 401 with Envoy's bodies and www-authenticate; wrong audience → 403.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import { request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, logLines, tempLog, type CountingUpstream } from './fixtures.js';

const ISS = 'https://issuer.example';
const REMOTE_ISS = 'https://remote.example';

async function sign(
  key: CryptoKey,
  alg: string,
  kid: string,
  claims: JWTPayload,
  expSeconds = 600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid })
    .setIssuedAt(now)
    .setExpirationTime(now + expSeconds)
    .sign(key);
}

describe('jwt_authn', () => {
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
  let jwksServer: http.Server;
  let jwksHits = 0;
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  const log = tempLog();

  before(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    const rsaJwks = JSON.stringify({
      keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256' }],
    });
    const ecJwks = JSON.stringify({
      keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256' }],
    });
    jwksServer = http.createServer((req, res) => {
      jwksHits++;
      res.writeHead(req.url === '/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(ecJwks);
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
    up = await countingUpstream();
    const filters = `
- name: envoy.filters.http.jwt_authn
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
    providers:
      origins-0:
        issuer: ${ISS}
        audiences: [weather]
        local_jwks: {inline_string: ${JSON.stringify(rsaJwks)}}
        forward_payload_header: x-jwt-payload
        payload_in_metadata: payload
        claim_to_headers: [{header_name: x-jwt-sub, claim_name: sub}]
      origins-1:
        issuer: ${REMOTE_ISS}
        remote_jwks:
          http_uri: {uri: "http://jwks.example/jwks.json", cluster: jwks, timeout: 1s}
          cache_duration: 300s
        from_headers: [{name: x-token}]
        forward: true
    rules:
    - match: {prefix: /strict}
      requires: {provider_name: origins-0}
    - match: {prefix: /open}
      requires: {}
    - match: {prefix: /}
      requires:
        requires_any:
          requirements:
          - provider_name: origins-0
          - provider_name: origins-1
          - allow_missing: {}
    bypass_cors_preflight: true`;
    px = await startProxy(
      bootstrap({
        log,
        filters,
        clusters:
          staticCluster('backend', [up.port]) +
          staticCluster('jwks', [(jwksServer.address() as AddressInfo).port]),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
    jwksServer.close();
  });

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('valid RS256 token: 200, token stripped, payload and claim headers forwarded', async () => {
    const t = await sign(rsa.privateKey, 'RS256', 'rsa', { iss: ISS, sub: 'alice', aud: 'weather' });
    const r = await request(port, '/forecast', { headers: bearer(t) });
    assert.equal(r.status, 200);
    const seen = up.seen.at(-1)!;
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['x-jwt-sub'], 'alice');
    const payload = JSON.parse(Buffer.from(seen.headers['x-jwt-payload'] as string, 'base64url').toString());
    assert.equal(payload.sub, 'alice');
  });

  it('no token: allow_missing lets it through; the strict route answers 401 "Jwt is missing"', async () => {
    assert.equal((await request(port, '/forecast')).status, 200);
    const r = await request(port, '/strict/x?q=1');
    assert.equal(r.status, 401);
    assert.equal(r.body, 'Jwt is missing');
    assert.equal(r.headers['www-authenticate'], `Bearer realm="http://127.0.0.1:${port}/strict/x"`);
    assert.deepEqual(await logLines(log, '/strict'), [
      '/strict/x?q=1 401 - jwt_authn_access_denied{Jwt_is_missing}',
    ]);
  });

  it('bad signature → 401 "Jwt verification fails" with error="invalid_token"', async () => {
    const other = await generateKeyPair('RS256');
    const t = await sign(other.privateKey, 'RS256', 'rsa', { iss: ISS, sub: 'mallory', aud: 'weather' });
    const r = await request(port, '/forecast', { headers: bearer(t) });
    assert.equal(r.status, 401);
    assert.equal(r.body, 'Jwt verification fails');
    assert.equal(
      r.headers['www-authenticate'],
      `Bearer realm="http://127.0.0.1:${port}/forecast", error="invalid_token"`,
    );
  });

  it('expired beyond the 60 s clock skew → "Jwt is expired"; 30 s past expiry still passes', async () => {
    const old = await sign(rsa.privateKey, 'RS256', 'rsa', { iss: ISS, aud: 'weather' }, -120);
    const r = await request(port, '/forecast', { headers: bearer(old) });
    assert.equal(r.status, 401);
    assert.equal(r.body, 'Jwt is expired');
    const recent = await sign(rsa.privateKey, 'RS256', 'rsa', { iss: ISS, aud: 'weather' }, -30);
    assert.equal((await request(port, '/forecast', { headers: bearer(recent) })).status, 200);
  });

  it('unknown issuer → 401 "Jwt issuer is not configured"; wrong audience → 403', async () => {
    const stranger = await sign(rsa.privateKey, 'RS256', 'rsa', { iss: 'https://other', aud: 'weather' });
    const r = await request(port, '/forecast', { headers: bearer(stranger) });
    assert.equal(r.status, 401);
    assert.equal(r.body, 'Jwt issuer is not configured');
    const aud = await sign(rsa.privateKey, 'RS256', 'rsa', { iss: ISS, aud: 'billing' });
    const a = await request(port, '/strict', { headers: bearer(aud) });
    assert.equal(a.status, 403);
    assert.equal(a.body, 'Audiences in Jwt are not allowed');
  });

  it('not a JWT → 401 with the format error', async () => {
    const r = await request(port, '/forecast', { headers: bearer('abc.def') });
    assert.equal(r.status, 401);
    assert.equal(r.body, 'Jwt is not in the form of Header.Payload.Signature');
  });

  it('remote JWKS through a cluster (ES256, custom header, forwarded): fetched once, then cached', async () => {
    const t = await sign(ec.privateKey, 'ES256', 'ec', { iss: REMOTE_ISS, sub: 'bob' });
    for (let i = 0; i < 2; i++) {
      const r = await request(port, '/forecast', { headers: { 'x-token': t } });
      assert.equal(r.status, 200);
      assert.equal(up.seen.at(-1)!.headers['x-token'], t);
    }
    assert.equal(jwksHits, 1);
    assert.equal(await stat(px.admin, 'http.ingress.jwt_authn.jwks_fetch_success'), 1);
  });

  it('an empty requirement verifies nothing; CORS preflights bypass', async () => {
    assert.equal((await request(port, '/open', { headers: bearer('garbage') })).status, 200);
    const pre = await request(port, '/strict', {
      method: 'OPTIONS',
      headers: { origin: 'http://a.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.status, 200);
    assert.equal(await stat(px.admin, 'http.ingress.jwt_authn.cors_preflight_bypassed'), 1);
  });
});
