// Scenario 39's shape: RequestAuthentication (jwt_authn, valid-or-missing) before an
// AuthorizationPolicy (RBAC) whose principals read the JWT payload from dynamic metadata —
// requestPrincipals as iss and sub, request.auth.claims[groups] as a list match. A missing token
// passes authentication and is then refused by RBAC; a bad token never reaches RBAC (401).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { request, startProxy, staticCluster, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, rbac, type CountingUpstream, tempLog } from './fixtures.js';

const ISS = 'testing@secure.istio.io';

const claim = (key: string, value: string, list = false) => `
metadata:
  filter: envoy.filters.http.jwt_authn
  path: [{key: payload}, {key: ${key}}]
  value: ${list ? `{list_match: {one_of: {string_match: {exact: ${value}}}}}` : `{string_match: {exact: "${value}"}}`}`;

describe('JWT claims in RBAC (scenario 39)', () => {
  let key: CryptoKey;
  let up: CountingUpstream;
  let px: Running;
  let port: number;
  before(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k', alg: 'RS256' }] });
    up = await countingUpstream();
    const filters =
      `
- name: envoy.filters.http.jwt_authn
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
    providers:
      origins-0:
        issuer: ${ISS}
        local_jwks: {inline_string: ${JSON.stringify(jwks)}}
        payload_in_metadata: payload
        normalize_payload_in_metadata: {space_delimited_claims: [scope]}
    rules:
    - match: {prefix: /}
      requires: {requires_any: {requirements: [{provider_name: origins-0}, {allow_missing: {}}]}}` +
      rbac(`
rules:
  policies:
    ns[weather]-policy[require-alice]-rule[0]:
      permissions: [{url_path: {path: {prefix: /alice}}}]
      principals:
      - and_ids:
          ids:
          - ${claim('iss', ISS).trim().replace(/\n/g, '\n            ')}
          - ${claim('sub', 'alice').trim().replace(/\n/g, '\n            ')}
    ns[weather]-policy[group1]-rule[0]:
      permissions: [{url_path: {path: {prefix: /group1}}}]
      principals:
      - ${claim('groups', 'group1', true).trim().replace(/\n/g, '\n        ')}
    ns[weather]-policy[scope]-rule[0]:
      permissions: [{url_path: {path: {prefix: /scoped}}}]
      principals:
      - ${claim('scope', 'read', true).trim().replace(/\n/g, '\n        ')}`);
    px = await startProxy(
      bootstrap({ log: tempLog(), filters, clusters: staticCluster('backend', [up.port]) }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
  });

  const token = (claims: JWTPayload) =>
    new SignJWT({ iss: ISS, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k' })
      .setExpirationTime('10m')
      .sign(key);
  const get = async (path: string, claims?: JWTPayload) =>
    request(port, path, claims ? { headers: { authorization: `Bearer ${await token(claims)}` } } : {});

  it('requestPrincipals: alice admitted, bob and no token → 403', async () => {
    assert.equal((await get('/alice', { sub: 'alice' })).status, 200);
    assert.equal((await get('/alice', { sub: 'bob' })).status, 403);
    const missing = await get('/alice');
    assert.equal(missing.status, 403);
    assert.equal(missing.body, 'RBAC: access denied');
  });

  it('request.auth.claims[groups]: one of the list must match', async () => {
    assert.equal((await get('/group1', { groups: ['group0', 'group1'] })).status, 200);
    assert.equal((await get('/group1', { groups: ['group2'] })).status, 403);
  });

  it('space-delimited scope claims become lists for matching', async () => {
    assert.equal((await get('/scoped', { scope: 'write read' })).status, 200);
    assert.equal((await get('/scoped', { scope: 'write' })).status, 403);
  });

  it('an invalid token is refused by jwt_authn (401) before RBAC', async () => {
    const r = await request(port, '/alice', { headers: { authorization: 'Bearer a.b.c' } });
    assert.equal(r.status, 401);
  });
});
