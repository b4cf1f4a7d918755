import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEnvoyMessage, normalise } from '../../../test/golden/protojson.js';
import type { Msg } from '../../proxy/config/proto.js';
import { compileHeaderMatcher } from '../../proxy/router/match/header.js';
import { compilePathMatch } from '../../proxy/router/match/path.js';
import type { MatchRequest } from '../../proxy/router/match/request.js';
import { MessageName, type Json } from '../envoy.js';
import type { AuthnPolicyConfig } from '../mtls/resolve.js';
import { buildV1alpha1HttpRbacFilter } from '../rbac-v1alpha1/translate.js';
import { buildV1alpha1AuthnFilter, v1alpha1RequestPrincipal, type V1alpha1AuthnOptions } from './v1alpha1.js';

const AD = { name: 'advertisement', namespace: 'weather', port: 3003, portName: 'http' };
const JWKS = '{"keys":[]}';
const opts: V1alpha1AuthnOptions = { resolveJwks: () => JWKS };
type Spec = AuthnPolicyConfig['spec'];
const nsPolicy = (spec: Spec): AuthnPolicyConfig => ({
  kind: 'Policy',
  name: 'default',
  namespace: 'weather',
  spec,
});
const jwt = (issuer: string, extra: object = {}) => ({ jwt: { issuer, ...extra } });

/** The filter config after a round trip through the real jwt_authn proto. */
function config(spec: Spec, o: V1alpha1AuthnOptions = opts): Msg {
  const f = buildV1alpha1AuthnFilter([nsPolicy(spec)], AD, o);
  assert.ok(f);
  assert.equal(f.name, 'envoy.filters.http.jwt_authn');
  checkEnvoyMessage(MessageName.jwtAuthn, f.typed_config);
  const { '@type': _t, ...value } = f.typed_config;
  return normalise(MessageName.jwtAuthn, value);
}

/** A requirement as text: a provider name, any(…), all(…) or missing-or-failed. */
function show(r: Msg | undefined): string {
  if (!r) return 'none';
  if (r.provider_name) return r.provider_name as string;
  if (r.allow_missing_or_failed) return 'missing-or-failed';
  if (r.requires_any) return `any(${(r.requires_any.requirements as Msg[]).map(show).join(', ')})`;
  if (r.requires_all) return `all(${(r.requires_all.requirements as Msg[]).map(show).join(', ')})`;
  throw new Error(`unexpected requirement ${JSON.stringify(r)}`);
}

/** What jwt_authn requires for a path: the first rule whose match (the proxy's own matchers) holds. */
function requiredFor(c: Msg) {
  const rules = (c.rules as Msg[]).map((r, i) => {
    const path = compilePathMatch(r.match, `rules[${i}].match`);
    const headers = ((r.match.headers ?? []) as Msg[]).map((h, j) => compileHeaderMatcher(h, `h${j}`));
    return {
      matches: (q: MatchRequest) => path.matches(q) && headers.every((h) => h(q)),
      requires: r.requires,
    };
  });
  return (p: string): string => {
    const q: MatchRequest = {
      method: 'GET',
      path: p,
      authority: 'advertisement',
      scheme: 'http',
      header: (n) => (n === ':path' ? p : undefined),
    };
    return show(rules.find((r) => r.matches(q))?.requires as Msg | undefined);
  };
}

test('an origin: issuer, audiences, token locations, forwarded token, inlined JWKS; required everywhere', () => {
  const c = config({
    origins: [jwt('weather', { audiences: ['ads'], jwtHeaders: ['x-jwt'], jwtParams: ['token'] })],
  });
  const p = (c.providers as Record<string, Msg>)['origins-0']!;
  assert.equal(p.issuer, 'weather');
  assert.deepEqual(p.audiences, ['ads']);
  assert.deepEqual(p.from_headers, [{ name: 'x-jwt' }]);
  assert.deepEqual(p.from_params, ['token']);
  assert.equal(p.forward, true);
  assert.equal(p.payload_in_metadata, 'payload');
  assert.deepEqual(p.local_jwks, { inline_string: JWKS });
  const required = requiredFor(c);
  assert.equal(required('/'), 'origins-0');
  assert.equal(required('/health'), 'origins-0');
});

test('triggerRules: excluded exact and prefix paths need no token, whatever the query string', () => {
  const required = requiredFor(
    config({
      origins: [
        jwt('weather', { triggerRules: [{ excludedPaths: [{ exact: '/health' }, { prefix: '/status/' }] }] }),
      ],
    }),
  );
  for (const p of ['/', '/ad', '/healthz', '/health/x', '/api/status/', '/ad?path=/health'])
    assert.equal(required(p), 'origins-0', p);
  for (const p of ['/health', '/health?probe=1', '/status/', '/status/ready?x'])
    assert.equal(required(p), 'none', p);
});

test('triggerRules: included paths (prefix, suffix, regex) minus excluded ones; several rules are OR-ed', () => {
  const required = requiredFor(
    config({
      origins: [
        jwt('weather', {
          triggerRules: [
            {
              includedPaths: [{ prefix: '/api/' }],
              excludedPaths: [{ suffix: '.png' }, { regex: '/api/v[0-9]+/public/.*' }],
            },
            { includedPaths: [{ exact: '/admin' }, { suffix: '/edit' }] },
          ],
        }),
      ],
    }),
  );
  for (const p of [
    '/api/ads',
    '/api/ads?format=png',
    '/api/v1/publicx',
    '/admin',
    '/admin?x=1',
    '/ads/1/edit',
  ])
    assert.equal(required(p), 'origins-0', p);
  for (const p of [
    '/',
    '/ads',
    '/api/logo.png',
    '/api/logo.png?v=2',
    '/api/v2/public/a',
    '/admin/x',
    '/edit/x',
  ])
    assert.equal(required(p), 'none', p);
});

test('several origins: a path needs a token from one of the origins triggered there', () => {
  const required = requiredFor(
    config({
      origins: [
        jwt('admins', { triggerRules: [{ includedPaths: [{ prefix: '/admin' }] }] }),
        jwt('users', { triggerRules: [{ excludedPaths: [{ exact: '/health' }] }] }),
        jwt('partners', {
          triggerRules: [{ includedPaths: [{ prefix: '/partner' }, { prefix: '/admin/partner' }] }],
        }),
      ],
    }),
  );
  assert.equal(required('/admin/x'), 'any(origins-0, origins-1)');
  assert.equal(required('/admin/partner/1'), 'any(origins-0, origins-1, origins-2)');
  assert.equal(required('/partner'), 'any(origins-1, origins-2)');
  assert.equal(required('/ads'), 'origins-1');
  assert.equal(required('/health'), 'none');
  const always = requiredFor(
    config({ origins: [jwt('a'), jwt('b', { triggerRules: [{ includedPaths: [{ prefix: '/b' }] }] })] }),
  );
  assert.equal(always('/b'), 'any(origins-0, origins-1)');
  assert.equal(always('/'), 'origins-0');
});

test('originIsOptional: a token is verified when valid but never required', () => {
  const required = requiredFor(config({ origins: [jwt('weather'), jwt('other')], originIsOptional: true }));
  assert.equal(required('/'), 'any(origins-0, origins-1, missing-or-failed)');
});

test('peer JWT: required unless an mTLS peer method (sidecars only) or peerIsOptional lets the peer pass', () => {
  assert.equal(requiredFor(config({ peers: [jwt('peer')] }))('/x'), 'peers-0');
  const withOrigin = requiredFor(
    config({
      peers: [jwt('peer')],
      origins: [jwt('weather', { triggerRules: [{ excludedPaths: [{ exact: '/health' }] }] })],
    }),
  );
  assert.equal(withOrigin('/x'), 'all(peers-0, origins-0)');
  assert.equal(withOrigin('/health'), 'peers-0');
  const mtlsFirst: Spec = { peers: [{ mtls: {} }, jwt('peer')] };
  assert.equal(requiredFor(config(mtlsFirst))('/'), 'any(peers-0, missing-or-failed)');
  assert.equal(requiredFor(config(mtlsFirst, { ...opts, gateway: true }))('/'), 'peers-0');
  assert.equal(
    requiredFor(config({ peers: [jwt('peer')], peerIsOptional: true }))('/'),
    'any(peers-0, missing-or-failed)',
  );
});

test('the policy of the service port decides; no JWT method, no filter; an issuer alone is resolved', () => {
  const targeted: AuthnPolicyConfig = {
    kind: 'Policy',
    name: 'ad-jwt',
    namespace: 'weather',
    spec: { targets: [{ name: 'advertisement', ports: [{ number: 3003 }] }], origins: [jwt('ads')] },
  };
  const mesh: AuthnPolicyConfig = { kind: 'MeshPolicy', name: 'default', spec: { origins: [jwt('mesh')] } };
  const issuerOf = (port: number) => {
    const f = buildV1alpha1AuthnFilter([mesh, targeted], { ...AD, port }, opts);
    return (f?.typed_config.providers as Record<string, Json> | undefined)?.['origins-0']?.issuer;
  };
  assert.equal(issuerOf(3003), 'ads');
  assert.equal(issuerOf(3004), 'mesh');
  assert.equal(buildV1alpha1AuthnFilter([nsPolicy({ peers: [{ mtls: {} }] })], AD, opts), undefined);
  assert.equal(buildV1alpha1AuthnFilter([], AD, opts), undefined);
  const asked: string[][] = [];
  buildV1alpha1AuthnFilter([nsPolicy({ origins: [jwt('https://accounts.example')] })], AD, {
    resolveJwks: (uri, issuer) => (asked.push([uri, issuer]), JWKS),
  });
  assert.deepEqual(asked, [['', 'https://accounts.example']]);
});

test('principalBinding: request.auth.principal for 1.1 RBAC is the peer certificate (USE_PEER) or the JWT (USE_ORIGIN)', () => {
  const source = (spec: Spec, gateway = false) => v1alpha1RequestPrincipal([nsPolicy(spec)], AD, { gateway });
  assert.equal(source({ peers: [{ mtls: {} }] }), 'peer');
  assert.equal(source({ peers: [{ mtls: {} }], origins: [jwt('w')], principalBinding: 'USE_ORIGIN' }), 'jwt');
  assert.equal(source({ peers: [jwt('peer')] }), 'jwt');
  assert.equal(source({ peers: [{ mtls: {} }, jwt('peer')] }, true), 'jwt');
  assert.equal(v1alpha1RequestPrincipal([], AD), undefined);

  const instance = {
    hostname: 'advertisement.weather.svc.cluster.local',
    name: 'advertisement',
    namespace: 'weather',
    labels: {},
  };
  const rbac = {
    clusterRbacConfig: { mode: 'ON' as const },
    roles: [{ name: 'r', namespace: 'weather', spec: { rules: [{ services: ['*'] }] } }],
    bindings: [
      {
        name: 'b',
        namespace: 'weather',
        spec: {
          subjects: [{ properties: { 'request.auth.principal': 'cluster.local/ns/weather/sa/frontend' } }],
          roleRef: { kind: 'ServiceRole', name: 'r' },
        },
      },
    ],
  };
  const principal = (requestPrincipal: 'jwt' | 'peer') => {
    const f = buildV1alpha1HttpRbacFilter(rbac, instance, { requestPrincipal });
    const policy = (f!.typed_config.rules as Json).policies as Record<string, { principals: Json[] }>;
    return JSON.stringify(policy.r!.principals);
  };
  assert.match(
    principal('peer'),
    /"authenticated":\{"principal_name":\{"exact":"spiffe:\/\/cluster.local\/ns\/weather\/sa\/frontend"\}/,
  );
  assert.match(principal('jwt'), /"filter":"envoy.filters.http.jwt_authn".*"key":"iss"/);
});
