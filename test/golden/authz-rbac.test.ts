// Istio's own AuthorizationPolicy → Envoy RBAC golden files (../shared/testdata/istio-authz-rbac-golden):
// every input is built with the options Istio's builder_test.go gives it, and every output file is
// compared semantically (both sides read as protos and round-tripped) with what Weft generates.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import jsyaml from 'js-yaml';
import type { MeshConfig } from '../../src/api/meshconfig.js';
import { parseResources } from '../../src/config/loader.js';
import {
  buildHttpExtAuthzFilters,
  buildHttpRbacFilters,
  buildTcpExtAuthzFilters,
  buildTcpRbacFilters,
  type AuthzOptions,
  type AuthzPolicyConfig,
} from '../../src/security/authz/builder.js';
import { MessageName, type EnvoyFilter } from '../../src/security/envoy.js';
import { selectPolicies } from '../../src/security/select.js';
import { checkEnvoyMessage, fromProtoJson, normalise } from './protojson.js';
import { lookupType } from '../../src/xds/proto/root.js';

const DIR = new URL('../../../shared/testdata/istio-authz-rbac-golden/', import.meta.url).pathname;
const WORKLOAD = { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' } };
const SERVICES = [{ hostname: 'my-custom-ext-authz.foo.svc.cluster.local', namespace: 'foo' }];

type Providers = NonNullable<MeshConfig['extensionProviders']>;
// The mesh configs of Istio's builder_test.go (inputs, not expected outputs).
const GRPC_NO_NAMESPACE: Providers = [
  {
    name: 'default',
    envoyExtAuthzGrpc: {
      service: 'my-custom-ext-authz.foo.svc.cluster.local',
      port: 9000,
      failOpen: true,
      statusOnError: '403',
    },
  },
];
const GRPC: Providers = [
  {
    name: 'default',
    envoyExtAuthzGrpc: {
      service: 'foo/my-custom-ext-authz.foo.svc.cluster.local',
      port: 9000,
      timeout: '2ms',
      failOpen: true,
      statusOnError: '403',
      includeRequestBodyInCheck: { maxRequestBytes: 4096, allowPartialMessage: true },
    },
  },
];
const HTTP: Providers = [
  {
    name: 'default',
    envoyExtAuthzHttp: {
      service: 'foo/my-custom-ext-authz.foo.svc.cluster.local',
      port: 9000,
      timeout: '10s',
      failOpen: true,
      statusOnError: '403',
      pathPrefix: '/check',
      includeRequestHeadersInCheck: ['x-custom-id', 'x-prefix-*', '*-suffix'],
      includeHeadersInCheck: ['should-not-include-when-IncludeRequestHeadersInCheck-is-set'],
      includeAdditionalHeadersInCheck: { 'x-header-1': 'value-1', 'x-header-2': 'value-2' },
      includeRequestBodyInCheck: { maxRequestBytes: 2048, allowPartialMessage: true, packAsBytes: true },
      headersToUpstreamOnAllow: ['Authorization', 'x-prefix-*', '*-suffix'],
      headersToDownstreamOnDeny: ['Set-cookie', 'x-prefix-*', '*-suffix'],
      headersToDownstreamOnAllow: ['Set-cookie', 'x-prefix-*', '*-suffix'],
    },
  },
];
const INVALID: Providers = [
  {
    name: 'default',
    envoyExtAuthzHttp: {
      service: 'foo/my-custom-ext-authz',
      port: 999999,
      pathPrefix: 'check',
      statusOnError: '999',
    },
  },
];

interface Case {
  name: string;
  input: string;
  want: string[];
  providers?: Providers;
  trustDomain?: string;
  aliases?: string[];
  proxyIstioVersion?: { major: number; minor: number };
  /** The folder has no extended-* copy of this case's outputs. */
  noExtended?: boolean;
}

const HTTP_CASES: Case[] = [
  { name: 'allow-empty-rule', input: 'allow-empty-rule-in.yaml', want: ['allow-empty-rule-out.yaml'] },
  { name: 'allow-full-rule', input: 'allow-full-rule-in.yaml', want: ['allow-full-rule-out.yaml'] },
  // Not in Istio's current table: the output it once generated for proxies before 1.11.
  {
    name: 'allow-host-before-111',
    proxyIstioVersion: { major: 1, minor: 10 },
    noExtended: true,
    input: 'allow-host-before-111-in.yaml',
    want: ['allow-host-before-111-out.yaml'],
  },
  { name: 'allow-nil-rule', input: 'allow-nil-rule-in.yaml', want: ['allow-nil-rule-out.yaml'] },
  { name: 'allow-path', input: 'allow-path-in.yaml', want: ['allow-path-out.yaml'] },
  { name: 'audit-full-rule', input: 'audit-full-rule-in.yaml', want: ['audit-full-rule-out.yaml'] },
  {
    name: 'custom-grpc-provider-no-namespace',
    providers: GRPC_NO_NAMESPACE,
    input: 'custom-simple-http-in.yaml',
    want: ['custom-grpc-provider-no-namespace-out1.yaml', 'custom-grpc-provider-no-namespace-out2.yaml'],
  },
  {
    name: 'custom-grpc-provider',
    providers: GRPC,
    input: 'custom-simple-http-in.yaml',
    want: ['custom-grpc-provider-out1.yaml', 'custom-grpc-provider-out2.yaml'],
  },
  {
    name: 'custom-http-provider',
    providers: HTTP,
    input: 'custom-simple-http-in.yaml',
    want: ['custom-http-provider-out1.yaml', 'custom-http-provider-out2.yaml'],
  },
  {
    name: 'custom-bad-multiple-providers',
    providers: HTTP,
    input: 'custom-bad-multiple-providers-in.yaml',
    want: ['custom-bad-multiple-providers-out1.yaml', 'custom-bad-multiple-providers-out2.yaml'],
  },
  {
    name: 'custom-bad-invalid-config',
    providers: INVALID,
    input: 'custom-simple-http-in.yaml',
    want: ['custom-bad-out.yaml'],
  },
  {
    name: 'deny-and-allow',
    input: 'deny-and-allow-in.yaml',
    want: ['deny-and-allow-out1.yaml', 'deny-and-allow-out2.yaml'],
  },
  { name: 'deny-empty-rule', input: 'deny-empty-rule-in.yaml', want: ['deny-empty-rule-out.yaml'] },
  {
    name: 'dry-run-allow-and-deny',
    input: 'dry-run-allow-and-deny-in.yaml',
    want: ['dry-run-allow-and-deny-out1.yaml', 'dry-run-allow-and-deny-out2.yaml'],
  },
  { name: 'dry-run-allow', input: 'dry-run-allow-in.yaml', want: ['dry-run-allow-out.yaml'] },
  { name: 'dry-run-mix', input: 'dry-run-mix-in.yaml', want: ['dry-run-mix-out.yaml'] },
  { name: 'multiple-policies', input: 'multiple-policies-in.yaml', want: ['multiple-policies-out.yaml'] },
  { name: 'single-policy', input: 'single-policy-in.yaml', want: ['single-policy-out.yaml'] },
  {
    name: 'trust-domain-one-alias',
    trustDomain: 'td1',
    aliases: ['cluster.local'],
    input: 'simple-policy-td-aliases-in.yaml',
    want: ['simple-policy-td-aliases-out.yaml'],
  },
  {
    name: 'trust-domain-multiple-aliases',
    trustDomain: 'td1',
    aliases: ['cluster.local', 'some-td'],
    input: 'simple-policy-multiple-td-aliases-in.yaml',
    want: ['simple-policy-multiple-td-aliases-out.yaml'],
  },
  {
    name: 'trust-domain-wildcard-in-principal',
    trustDomain: 'td1',
    aliases: ['foobar'],
    input: 'simple-policy-principal-with-wildcard-in.yaml',
    want: ['simple-policy-principal-with-wildcard-out.yaml'],
  },
  {
    name: 'trust-domain-aliases-in-source-principal',
    trustDomain: 'new-td',
    aliases: ['old-td', 'some-trustdomain'],
    input: 'td-aliases-source-principal-in.yaml',
    want: ['td-aliases-source-principal-out.yaml'],
  },
  { name: 'trust-domains-field', input: 'trust-domains-in.yaml', want: ['trust-domains-out.yaml'] },
];

const TCP_CASES: Case[] = [
  {
    name: 'allow-both-http-tcp',
    input: 'allow-both-http-tcp-in.yaml',
    want: ['allow-both-http-tcp-out.yaml'],
  },
  { name: 'allow-only-http', input: 'allow-only-http-in.yaml', want: ['allow-only-http-out.yaml'] },
  {
    name: 'audit-both-http-tcp',
    input: 'audit-both-http-tcp-in.yaml',
    want: ['audit-both-http-tcp-out.yaml'],
  },
  {
    name: 'custom-both-http-tcp',
    providers: GRPC,
    input: 'custom-both-http-tcp-in.yaml',
    want: ['custom-both-http-tcp-out1.yaml', 'custom-both-http-tcp-out2.yaml'],
  },
  { name: 'custom-only-http', providers: HTTP, input: 'custom-only-http-in.yaml', want: [] },
  { name: 'deny-both-http-tcp', input: 'deny-both-http-tcp-in.yaml', want: ['deny-both-http-tcp-out.yaml'] },
  { name: 'dry-run-mix', input: 'dry-run-mix-in.yaml', want: ['dry-run-mix-out.yaml'] },
];

function policies(file: string): AuthzPolicyConfig[] {
  const { resources, diagnostics } = parseResources(readFileSync(file, 'utf8'), file);
  assert.deepEqual(diagnostics, []);
  const all = resources.map(({ resource: r }) => ({
    name: r.metadata.name!,
    namespace: r.metadata.namespace!,
    annotations: r.metadata.annotations,
    spec: r.spec as AuthzPolicyConfig['spec'],
  }));
  return selectPolicies(all, WORKLOAD);
}

function options(c: Case): AuthzOptions {
  return {
    trustDomain: c.trustDomain,
    trustDomainAliases: c.aliases,
    extensionProviders: c.providers,
    services: SERVICES,
    proxyIstioVersion: c.proxyIstioVersion,
  };
}

/** Both sides as the filter message (HttpFilter or listener Filter), normalised. */
function compare(got: EnvoyFilter[], dir: string, want: string[], messageName: string): void {
  assert.equal(got.length, want.length, `got ${got.length} filters, want ${want.length}`);
  got.forEach((filter, i) => {
    const typed = filter.typed_config;
    checkEnvoyMessage(String(typed['@type']).split('/').pop()!, typed);
    checkEnvoyMessage(messageName, filter as unknown as Record<string, unknown>);
    const golden = jsyaml.load(readFileSync(join(DIR, dir, want[i]!), 'utf8')) as Record<string, unknown>;
    const expected = normalise(messageName, fromProtoJson(lookupType(messageName), golden));
    assert.deepStrictEqual(normalise(messageName, filter), expected, want[i]);
  });
}

describe('istio authz golden: http', () => {
  for (const extended of [false, true])
    for (const c of HTTP_CASES.filter((x) => !(extended && x.noExtended)))
      test(`${extended ? 'extended-' : ''}${c.name}`, () => {
        const ps = policies(join(DIR, 'http', c.input));
        const got = c.providers
          ? buildHttpExtAuthzFilters(ps, options(c))
          : buildHttpRbacFilters(ps, options(c));
        const want = c.want.map((w) => (extended ? `extended-${w}` : w));
        compare(got, 'http', want, MessageName.httpFilter);
      });
});

describe('istio authz golden: tcp', () => {
  for (const c of TCP_CASES)
    test(c.name, () => {
      const ps = policies(join(DIR, 'tcp', c.input));
      const got = c.providers ? buildTcpExtAuthzFilters(ps, options(c)) : buildTcpRbacFilters(ps, options(c));
      compare(got, 'tcp', c.want, MessageName.networkFilter);
    });
});

test('every golden file in the folder is used by a case', () => {
  for (const [dir, cases, prefixes] of [
    ['http', HTTP_CASES, ['', 'extended-']],
    ['tcp', TCP_CASES, ['']],
  ] as const) {
    const used = new Set(
      cases.flatMap((c) => [
        c.input,
        ...(c.noExtended ? [''] : prefixes).flatMap((p) => c.want.map((w) => p + w)),
      ]),
    );
    const unused = readdirSync(join(DIR, dir)).filter((f) => !used.has(f));
    assert.deepEqual(unused, [], `${dir}: golden files no case reads`);
  }
});
