import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEnvoyMessage } from '../../../test/golden/protojson.js';
import { MessageName, type Json } from '../envoy.js';
import { buildJwtAuthnFilter, PUBLIC_ONLY_JWKS, type RequestAuthnConfig } from './jwt.js';

const ra = (namespace: string, jwtRules: RequestAuthnConfig['spec']['jwtRules']): RequestAuthnConfig => ({
  name: 'jwt',
  namespace,
  spec: { jwtRules },
});
const JWKS = '{"keys":[]}';

function config(policies: RequestAuthnConfig[], o = {}): Json {
  const f = buildJwtAuthnFilter(policies, o);
  assert.ok(f);
  assert.equal(f.name, 'envoy.filters.http.jwt_authn');
  checkEnvoyMessage(MessageName.jwtAuthn, f.typed_config);
  return f.typed_config;
}

test('no JWT rules: no filter', () => {
  assert.equal(buildJwtAuthnFilter([]), undefined);
  assert.equal(buildJwtAuthnFilter([ra('foo', [])]), undefined);
});

test('one rule: provider with token locations and outputs; invalid → 401, missing → pass', () => {
  const c = config([
    ra('foo', [
      {
        issuer: 'https://weather.example/issuer',
        audiences: ['weather'],
        jwks: JWKS,
        fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
        fromParams: ['token'],
        fromCookies: ['session'],
        forwardOriginalToken: true,
        outputPayloadToHeader: 'x-jwt-payload',
        outputClaimToHeaders: [{ header: 'x-group', claim: 'group' }],
        spaceDelimitedClaims: ['roles'],
      },
    ]),
  ]);
  assert.deepEqual(c.providers, {
    'origins-0': {
      issuer: 'https://weather.example/issuer',
      audiences: ['weather'],
      forward: true,
      forward_payload_header: 'x-jwt-payload',
      payload_in_metadata: 'payload',
      normalize_payload_in_metadata: { space_delimited_claims: ['permission', 'roles', 'scope'] },
      clear_route_cache: false,
      claim_to_headers: [{ header_name: 'x-group', claim_name: 'group' }],
      from_headers: [{ name: 'x-jwt', value_prefix: 'Bearer ' }],
      from_params: ['token'],
      from_cookies: ['session'],
      local_jwks: { inline_string: JWKS },
    },
  });
  assert.deepEqual(c.rules, [
    {
      match: { prefix: '/' },
      requires: { requires_any: { requirements: [{ provider_name: 'origins-0' }, { allow_missing: {} }] } },
    },
  ]);
  assert.equal(c.bypass_cors_preflight, true);
});

test('several rules (across policies) are sorted by issuer: one valid, or all valid-or-missing', () => {
  const c = config([
    ra('foo', [{ issuer: 'z', jwks: JWKS }]),
    ra('istio-system', [{ issuer: 'a', jwks: JWKS }]),
  ]);
  assert.deepEqual(
    Object.values(c.providers as Record<string, Json>).map((p) => p.issuer),
    ['a', 'z'],
  );
  const either = (n: string) => ({
    requires_any: { requirements: [{ provider_name: n }, { allow_missing: {} }] },
  });
  assert.deepEqual((c.rules as Json[])[0]!.requires, {
    requires_any: {
      requirements: [
        { provider_name: 'origins-0' },
        { provider_name: 'origins-1' },
        { requires_all: { requirements: [either('origins-0'), either('origins-1')] } },
      ],
    },
  });
});

test('jwksUri: inlined by the control plane by default, fail closed when it cannot fetch', () => {
  const rule = { issuer: 'iss', jwksUri: 'http://jwks.weather.svc.cluster.local:8000/jwks.json' };
  const seen: string[] = [];
  const fetched = config([ra('foo', [rule])], {
    resolveJwks: (uri: string) => (seen.push(uri), JWKS),
  });
  assert.deepEqual(seen, [rule.jwksUri]);
  assert.deepEqual((fetched.providers as Record<string, Json>)['origins-0']!.local_jwks, {
    inline_string: JWKS,
  });
  const failed = config([ra('foo', [rule])], { resolveJwks: () => undefined });
  assert.deepEqual((failed.providers as Record<string, Json>)['origins-0']!.local_jwks, {
    inline_string: PUBLIC_ONLY_JWKS,
  });
});

test('jwksUri fetched by Envoy: remote_jwks through the service cluster, timeout and cache', () => {
  const rule = { issuer: 'iss', jwksUri: 'https://jwks.weather.svc.cluster.local/jwks.json', timeout: '2s' };
  const services = [{ hostname: 'jwks.weather.svc.cluster.local', namespace: 'weather' }];
  const c = config([ra('foo', [rule])], { jwksFetchMode: 'envoy', services });
  assert.deepEqual((c.providers as Record<string, Json>)['origins-0']!.remote_jwks, {
    http_uri: {
      uri: rule.jwksUri,
      cluster: 'outbound|443||jwks.weather.svc.cluster.local',
      timeout: { seconds: 2, nanos: 0 },
    },
    cache_duration: { seconds: 300, nanos: 0 },
  });
  // Hybrid: a JWKS server outside the registry is fetched by the control plane.
  const hybrid = config([ra('foo', [rule])], { jwksFetchMode: 'hybrid', resolveJwks: () => JWKS });
  assert.deepEqual((hybrid.providers as Record<string, Json>)['origins-0']!.local_jwks, {
    inline_string: JWKS,
  });
});

test('the fail-closed JWKS is a usable RSA public key', async () => {
  const { importJWK } = await import('jose');
  const [key] = (JSON.parse(PUBLIC_ONLY_JWKS) as { keys: Json[] }).keys;
  await importJWK(key as never, 'RS256');
});
