import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEnvoyMessage } from '../../../test/golden/protojson.js';
import { buildHttpRbacFilters } from '../authz/builder.js';
import { MessageName, type EnvoyFilter, type Json } from '../envoy.js';
import {
  buildV1alpha1HttpRbacFilter,
  buildV1alpha1TcpRbacFilter,
  rbacMode,
  type RbacServiceInstance,
  type RbacV1alpha1Config,
} from './translate.js';

const svc = (name: string, labels = { app: name, version: 'v1' }): RbacServiceInstance => ({
  hostname: `${name}.weather.svc.cluster.local`,
  name,
  namespace: 'weather',
  labels,
  serviceAccount: name,
});
const FRONTEND = svc('frontend');
const ON_WEATHER = { mode: 'ON_WITH_INCLUSION' as const, inclusion: { namespaces: ['weather'] } };
const FOUR = ['frontend', 'advertisement', 'forecast', 'recommendation'].map(
  (s) => `${s}.weather.svc.cluster.local`,
);
const VIEWER = {
  name: 'weather-viewer',
  namespace: 'weather',
  spec: { rules: [{ services: FOUR, methods: ['GET'] }] },
};
const BINDING = {
  name: 'bind-viewer',
  namespace: 'weather',
  spec: {
    subjects: [
      { properties: { 'source.namespace': 'istio-system' } },
      { properties: { 'source.namespace': 'weather' } },
    ],
    roleRef: { kind: 'ServiceRole', name: 'weather-viewer' },
  },
};

function typed(f: EnvoyFilter | undefined, message: string = MessageName.httpRbac): Json {
  assert.ok(f);
  checkEnvoyMessage(message, f.typed_config);
  return f.typed_config;
}

test('modes: OFF, ON, inclusion and exclusion by namespace, service or workload labels', () => {
  const mode = (c: RbacV1alpha1Config['clusterRbacConfig'], s = FRONTEND) =>
    rbacMode({ clusterRbacConfig: c, roles: [], bindings: [] }, s);
  assert.equal(mode(undefined), 'OFF');
  assert.equal(mode({ mode: 'OFF' }), 'OFF');
  assert.equal(mode({ mode: 'ON' }), 'ENFORCED');
  assert.equal(mode({ mode: 'ON', enforcementMode: 'PERMISSIVE' }), 'PERMISSIVE');
  assert.equal(mode(ON_WEATHER), 'ENFORCED');
  assert.equal(mode({ mode: 'ON_WITH_INCLUSION', inclusion: { namespaces: ['default'] } }), 'OFF');
  assert.equal(mode({ mode: 'ON_WITH_INCLUSION', inclusion: { services: [FRONTEND.hostname] } }), 'ENFORCED');
  assert.equal(
    mode({ mode: 'ON_WITH_INCLUSION', inclusion: { workloadSelectors: [{ labels: { app: 'frontend' } }] } }),
    'ENFORCED',
  );
  assert.equal(mode({ mode: 'ON_WITH_EXCLUSION', exclusion: { namespaces: ['weather'] } }), 'OFF');
  assert.equal(
    mode({ mode: 'ON_WITH_EXCLUSION', exclusion: { services: ['other.weather.svc.cluster.local'] } }),
    'ENFORCED',
  );
  // The older namespaced RbacConfig applies when there is no ClusterRbacConfig.
  assert.equal(rbacMode({ rbacConfig: { mode: 'ON' }, roles: [], bindings: [] }, FRONTEND), 'ENFORCED');
  assert.equal(buildV1alpha1HttpRbacFilter({ roles: [VIEWER], bindings: [BINDING] }, FRONTEND), undefined);
});

test('scenario 37: RBAC on without roles denies everything (an ALLOW filter without policies)', () => {
  const c = typed(
    buildV1alpha1HttpRbacFilter({ clusterRbacConfig: ON_WEATHER, roles: [], bindings: [] }, FRONTEND),
  );
  assert.deepEqual(c.rules, { action: 'ALLOW', policies: {} });
});

test('scenario 37: GET on the four services for istio-system and weather = the equivalent AuthorizationPolicy', () => {
  const c = typed(
    buildV1alpha1HttpRbacFilter(
      { clusterRbacConfig: ON_WEATHER, roles: [VIEWER], bindings: [BINDING] },
      FRONTEND,
    ),
  );
  const policies = (c.rules as { policies: Record<string, Json> }).policies;
  assert.deepEqual(Object.keys(policies), ['weather-viewer']);
  const [equivalent] = buildHttpRbacFilters([
    {
      name: 'viewer',
      namespace: 'weather',
      spec: {
        rules: [
          {
            from: [{ source: { namespaces: ['istio-system'] } }, { source: { namespaces: ['weather'] } }],
            to: [{ operation: { methods: ['GET'] } }],
          },
        ],
      },
    },
  ]);
  const expected = Object.values(
    (equivalent!.typed_config.rules as { policies: Record<string, Json> }).policies,
  )[0];
  assert.deepEqual(policies['weather-viewer'], expected);
  // The role is for the four services only.
  const other = typed(
    buildV1alpha1HttpRbacFilter(
      { clusterRbacConfig: ON_WEATHER, roles: [VIEWER], bindings: [BINDING] },
      svc('other'),
    ),
  );
  assert.deepEqual(other.rules, { action: 'ALLOW', policies: {} });
});

test('constraints: destination labels/user decided per service; port, ip, headers as permissions', () => {
  const role = {
    name: 'v1-reader',
    namespace: 'weather',
    spec: {
      rules: [
        {
          services: ['*'],
          paths: ['/v2/*'],
          constraints: [
            { key: 'destination.labels[version]', values: ['v1'] },
            { key: 'destination.user', values: ['front*'] },
            { key: 'destination.port', values: ['3002'] },
            { key: 'destination.ip', values: ['10.0.0.0/8'] },
            { key: 'request.headers[login-group]', values: ['editor'] },
          ],
        },
      ],
    },
  };
  const binding: RbacV1alpha1Config['bindings'][number] = {
    name: 'b',
    namespace: 'weather',
    spec: {
      subjects: [
        {
          user: 'cluster.local/ns/weather/sa/frontend',
          properties: { 'source.principal': 'ignored', 'request.auth.claims[iss]': 'me' },
        },
        { user: '*' },
        { group: 'admins', properties: { 'source.ip': '10.1.0.0/16' } },
      ],
      roleRef: { kind: 'ServiceRole', name: 'v1-reader' },
    },
  };
  const config: RbacV1alpha1Config = {
    clusterRbacConfig: { mode: 'ON' },
    roles: [role],
    bindings: [binding],
  };
  const c = typed(buildV1alpha1HttpRbacFilter(config, FRONTEND));
  const policy = (c.rules as { policies: Record<string, { permissions: Json[]; principals: Json[] }> })
    .policies['v1-reader']!;
  assert.deepEqual(policy.permissions, [
    {
      and_rules: {
        rules: [
          { or_rules: { rules: [{ url_path: { path: { prefix: '/v2/' } } }] } },
          { or_rules: { rules: [{ destination_port: 3002 }] } },
          {
            or_rules: {
              rules: [{ destination_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 8 } } }],
            },
          },
          { or_rules: { rules: [{ header: { name: 'login-group', string_match: { exact: 'editor' } } }] } },
        ],
      },
    },
  ]);
  const [user, anyone, group] = policy.principals;
  assert.deepEqual((user as { and_ids: { ids: Json[] } }).and_ids.ids[0], {
    or_ids: {
      ids: [
        { authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/weather/sa/frontend' } } },
      ],
    },
  });
  assert.equal(
    (user as { and_ids: { ids: Json[] } }).and_ids.ids.length,
    2,
    'user overrides source.principal; the claim stays',
  );
  assert.deepEqual(anyone, { and_ids: { ids: [{ any: true }] } });
  assert.equal(JSON.stringify(group).includes('"groups"'), true);
  // Label and user constraints exclude other workloads at translation time.
  for (const other of [
    svc('frontend', { app: 'frontend', version: 'v2' }),
    { ...FRONTEND, serviceAccount: 'default' },
  ])
    assert.deepEqual(typed(buildV1alpha1HttpRbacFilter(config, other)).rules, {
      action: 'ALLOW',
      policies: {},
    });
});

test('PERMISSIVE bindings and enforcement mode become shadow rules', () => {
  const permissive = { ...BINDING, spec: { ...BINDING.spec, mode: 'PERMISSIVE' as const } };
  const c = typed(
    buildV1alpha1HttpRbacFilter(
      { clusterRbacConfig: ON_WEATHER, roles: [VIEWER], bindings: [permissive] },
      FRONTEND,
    ),
  );
  assert.deepEqual(Object.keys((c.shadow_rules as { policies: Json }).policies), ['weather-viewer']);
  assert.deepEqual(c.rules, { action: 'ALLOW', policies: {} });
  const global = typed(
    buildV1alpha1HttpRbacFilter(
      {
        clusterRbacConfig: { ...ON_WEATHER, enforcementMode: 'PERMISSIVE' },
        roles: [VIEWER],
        bindings: [BINDING],
      },
      FRONTEND,
    ),
  );
  assert.equal(global.rules, undefined);
  assert.deepEqual(Object.keys((global.shadow_rules as { policies: Json }).policies), ['weather-viewer']);
});

test('TCP: rules with HTTP-only fields are dropped, roles whose bindings need HTTP are dropped', () => {
  const tcpRole = {
    name: 'db',
    namespace: 'weather',
    spec: {
      rules: [
        { services: ['*'], methods: ['GET'] },
        { services: ['*'], ports: [5432] },
      ],
    },
  };
  const bind = (properties: Record<string, string>) => ({
    name: 'b',
    namespace: 'weather',
    spec: { subjects: [{ properties }], roleRef: { kind: 'ServiceRole', name: 'db' } },
  });
  const config = (properties: Record<string, string>) => ({
    clusterRbacConfig: { mode: 'ON' as const },
    roles: [tcpRole],
    bindings: [bind(properties)],
  });
  const ok = typed(
    buildV1alpha1TcpRbacFilter(config({ 'source.namespace': 'weather' }), FRONTEND),
    MessageName.networkRbac,
  );
  assert.equal(ok.stat_prefix, 'tcp.');
  const policy = (ok.rules as { policies: Record<string, { permissions: Json[] }> }).policies.db!;
  assert.deepEqual(policy.permissions, [
    { and_rules: { rules: [{ or_rules: { rules: [{ destination_port: 5432 }] } }] } },
  ]);
  const http = typed(
    buildV1alpha1TcpRbacFilter(config({ 'request.headers[x]': 'y' }), FRONTEND),
    MessageName.networkRbac,
  );
  assert.deepEqual(http.rules, { action: 'ALLOW', policies: {} });
});
