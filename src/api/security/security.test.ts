// PeerAuthentication, RequestAuthentication and AuthorizationPolicy validation, case by case.
import { runCases, type Case } from './validation-cases.test.js';

const V1 = 'security.istio.io/v1';
const pa = (name: string, spec: unknown, rest: Partial<Case> = {}): Case => ({
  name,
  apiVersion: V1,
  kind: 'PeerAuthentication',
  spec,
  ...rest,
});
const ra = (name: string, spec: unknown, rest: Partial<Case> = {}): Case => ({
  name,
  apiVersion: 'security.istio.io/v1beta1',
  kind: 'RequestAuthentication',
  spec,
  ...rest,
});
const ap = (name: string, spec: unknown, rest: Partial<Case> = {}): Case => ({
  name,
  apiVersion: V1,
  kind: 'AuthorizationPolicy',
  spec,
  ...rest,
});
const sel = { matchLabels: { app: 'httpbin' } };
const rule = (r: unknown) => ({ selector: sel, rules: [r] });

runCases([
  // PeerAuthentication
  pa('strict-ports', {
    selector: sel,
    mtls: { mode: 'STRICT' },
    portLevelMtls: { '8080': { mode: 'DISABLE' } },
  }),
  pa(
    'bad-mode',
    { mtls: { mode: 'strict' } },
    { error: { path: 'spec.mtls.mode', message: 'did you mean "STRICT"' } },
  ),
  pa(
    'ports-need-labels',
    { selector: { matchLabels: {} }, portLevelMtls: { '80': { mode: 'STRICT' } } },
    { error: { path: 'spec.portLevelMtls', message: 'portLevelMtls requires selector' } },
  ),
  pa(
    'port-too-high',
    { selector: sel, portLevelMtls: { '65536': { mode: 'STRICT' } } },
    { error: { path: 'spec.portLevelMtls["65536"]', message: 'port must be between 1-65535, got 65536' } },
  ),
  pa(
    'port-not-number',
    { selector: sel, portLevelMtls: { http: { mode: 'STRICT' } } },
    { error: { path: 'spec.portLevelMtls.http', message: 'type conversion error from string to uint32' } },
  ),
  pa(
    'empty-selector-warns',
    { selector: {} },
    { warning: { path: 'spec.selector', message: 'without labels' } },
  ),
  pa(
    'typo-field',
    { mtl: { mode: 'STRICT' } },
    { error: { path: 'spec.mtl', message: 'did you mean "mtls"' } },
  ),

  // RequestAuthentication
  ra('jwks-uri-only', { jwtRules: [{ jwksUri: 'https://example.com/jwks' }] }),
  ra('jwks-uri-alt-name', { jwtRules: [{ issuer: 'a', jwks_uri: 'http://example.com/jwks' }] }),
  ra('inline-jwks', { jwtRules: [{ issuer: 'a', jwks: '{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}' }] }),
  ra(
    'no-issuer-no-uri',
    { jwtRules: [{ audiences: ['a'] }] },
    { error: { path: 'spec.jwtRules[0].issuer', message: 'issuer or jwksUri must be non-empty string' } },
  ),
  ra(
    'ftp-jwks-uri',
    { jwtRules: [{ issuer: 'a', jwksUri: 'ftp://example.com/jwks' }] },
    { error: { path: 'spec.jwtRules[0].jwksUri', message: 'URI scheme "ftp" is not supported' } },
  ),
  ra(
    'jwks-and-uri',
    { jwtRules: [{ issuer: 'a', jwksUri: 'https://x/j', jwks: '{"keys":[]}' }] },
    { error: { path: 'spec.jwtRules[0]', message: 'only one of jwks or jwksUri can be set' } },
  ),
  ra(
    'jwks-not-json',
    { jwtRules: [{ issuer: 'a', jwks: '{keys' }] },
    { error: { path: 'spec.jwtRules[0].jwks', message: 'jwks parse error' } },
  ),
  ra(
    'jwks-private-key',
    { jwtRules: [{ issuer: 'a', jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}]}' }] },
    { warning: { path: 'spec.jwtRules[0].jwks', message: 'key at index 0 contains private key material' } },
  ),
  ra(
    'timeout-too-short',
    { jwtRules: [{ issuer: 'a', timeout: '0.5ms' }] },
    { error: { path: 'spec.jwtRules[0].timeout', message: 'must be a valid duration greater than 1ms' } },
  ),
  ra(
    'selector-and-target-refs',
    { selector: sel, targetRefs: [{ kind: 'Service', name: 'a' }] },
    { error: { path: 'spec', message: 'only one of targetRefs or selector can be set' } },
  ),
  ra(
    'target-ref-to-deployment',
    { targetRef: { group: 'apps', kind: 'Deployment', name: 'a' } },
    { error: { path: 'spec.targetRef', message: 'targetRef must be to one of' } },
  ),
  ra(
    'too-many-space-delimited-claims',
    { jwtRules: [{ issuer: 'a', spaceDelimitedClaims: Array.from({ length: 65 }, (_, i) => `c${i}`) }] },
    { error: { path: 'spec.jwtRules[0].spaceDelimitedClaims', message: 'at most 64 items' } },
  ),

  // AuthorizationPolicy
  ap('allow-nothing', {}),
  ap('gateway-target', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }] }),
  ap('custom', {
    action: 'CUSTOM',
    provider: { name: 'ext' },
    rules: [{ to: [{ operation: { paths: ['/a'] } }] }],
  }),
  ap(
    'custom-without-provider',
    { action: 'CUSTOM', rules: [{}] },
    { error: { path: 'spec.provider', message: '`provider.name` must not be empty' } },
  ),
  ap(
    'custom-without-rules',
    { action: 'CUSTOM', provider: { name: 'ext' } },
    { error: { path: 'spec.rules', message: 'CUSTOM action without `rules` is meaningless' } },
  ),
  ap(
    'provider-with-allow',
    { action: 'ALLOW', provider: { name: 'ext' }, rules: [{}] },
    { error: { path: 'spec.provider', message: 'must not be with non CUSTOM action, found ALLOW' } },
  ),
  ap(
    'custom-with-principals',
    { action: 'CUSTOM', provider: { name: 'x' }, rules: [{ from: [{ source: { principals: ['a'] } }] }] },
    {
      error: {
        path: 'spec.rules[0].from[0].source.principals',
        message: 'principals is currently not supported with CUSTOM action',
      },
    },
  ),
  ap(
    'custom-with-jwt-condition',
    {
      action: 'CUSTOM',
      provider: { name: 'x' },
      rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['a'] }] }],
    },
    { error: { path: 'spec.rules[0].when[0].key', message: 'not supported with CUSTOM action' } },
  ),
  ap(
    'deny-without-rules',
    { action: 'DENY' },
    { error: { path: 'spec.rules', message: 'DENY action without `rules` is meaningless' } },
  ),
  ap(
    'deny-http-only',
    { action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
    { warning: { path: 'spec.rules[0]', message: 'deny all traffic to TCP ports' } },
  ),
  ap(
    'bad-action',
    { action: 'REJECT' },
    { error: { path: 'spec.action', message: 'supported values: "ALLOW", "DENY", "AUDIT", "CUSTOM"' } },
  ),
  ap('port-not-number', rule({ to: [{ operation: { ports: ['80', 'http'] } }] }), {
    error: { path: 'spec.rules[0].to[0].operation.ports[1]', message: 'bad port (http)' },
  }),
  ap('empty-method', rule({ to: [{ operation: { methods: [''] } }] }), {
    error: { path: 'spec.rules[0].to[0].operation.methods[0]', message: 'empty value not allowed' },
  }),
  ap('empty-operation', rule({ to: [{ operation: {} }] }), {
    error: { path: 'spec.rules[0].to[0].operation', message: '`to.operation` must not be empty' },
  }),
  ap('empty-source', rule({ from: [{ source: {} }] }), {
    error: { path: 'spec.rules[0].from[0].source', message: '`from.source` must not be empty' },
  }),
  ap('bad-cidr', rule({ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }), {
    error: { path: 'spec.rules[0].from[0].source.ipBlocks[0]', message: 'bad CIDR range (10.0.0.0/33)' },
  }),
  ap('bad-ip', rule({ from: [{ source: { notRemoteIpBlocks: ['10.0.0.256'] } }] }), {
    error: {
      path: 'spec.rules[0].from[0].source.notRemoteIpBlocks[0]',
      message: 'bad IP address (10.0.0.256)',
    },
  }),
  ap('service-account-wildcard', rule({ from: [{ source: { serviceAccounts: ['ns/*'] } }] }), {
    error: { path: 'spec.rules[0].from[0].source.serviceAccounts[0]', message: 'wildcard not allowed' },
  }),
  ap('service-account-two-slashes', rule({ from: [{ source: { serviceAccounts: ['a/b/c'] } }] }), {
    error: {
      path: 'spec.rules[0].from[0].source.serviceAccounts[0]',
      message: "expected format 'serviceAccount' or 'namespace/serviceAccount'",
    },
  }),
  ap('trust-domain-middle-wildcard', rule({ from: [{ source: { trustDomains: ['a*b'] } }] }), {
    error: {
      path: 'spec.rules[0].from[0].source.trustDomains[0]',
      message: 'only allowed at the start or end',
    },
  }),
  ap('path-template-any-not-last', rule({ to: [{ operation: { paths: ['/a/{**}/b/{*}'] } }] }), {
    error: { path: 'spec.rules[0].to[0].operation.paths[0]', message: '{**} is not the last operator' },
  }),
  ap('path-template-brace', rule({ to: [{ operation: { notPaths: ['/a/{*}.txt'] } }] }), {
    error: { path: 'spec.rules[0].to[0].operation.notPaths[0]', message: "Contains '{' or '}'" },
  }),
  ap('unknown-condition-key', rule({ when: [{ key: 'source.ipp', values: ['1.2.3.4'] }] }), {
    error: { path: 'spec.rules[0].when[0].key', message: 'unknown attribute: source.ipp' },
  }),
  ap('v1alpha1-condition-key', rule({ when: [{ key: 'destination.labels[app]', values: ['a'] }] }), {
    error: { path: 'spec.rules[0].when[0].key', message: 'replaced by the workload selector' },
  }),
  ap('header-key-without-name', rule({ when: [{ key: 'request.headers[]', values: ['a'] }] }), {
    error: { path: 'spec.rules[0].when[0].key', message: 'should have format a[b]' },
  }),
  ap('condition-without-values', rule({ when: [{ key: 'source.ip' }] }), {
    error: { path: 'spec.rules[0].when[0]', message: 'at least one of `values` or `notValues` must be set' },
  }),
  ap('destination-port-not-number', rule({ when: [{ key: 'destination.port', notValues: ['eighty'] }] }), {
    error: { path: 'spec.rules[0].when[0].notValues[0]', message: 'bad port (eighty)' },
  }),
  ap('condition-key-missing', rule({ when: [{ values: ['a'] }] }), {
    error: { path: 'spec.rules[0].when[0].key', message: 'Required value' },
  }),
  ap(
    'dry-run-not-bool',
    { action: 'DENY', rules: [{}] },
    {
      metadata: { annotations: { 'istio.io/dry-run': 'yes' } },
      error: { path: 'metadata.annotations["istio.io/dry-run"]', message: 'invalid value (yes)' },
    },
  ),
  ap(
    'dry-run-audit',
    { action: 'AUDIT', rules: [{}] },
    {
      metadata: { annotations: { 'istio.io/dry-run': 'true' } },
      error: { path: 'metadata.annotations["istio.io/dry-run"]', message: 'only supports action ALLOW/DENY' },
    },
  ),
  ap('typo-not-ports', rule({ to: [{ operation: { not_ports: ['80'] } }] }), {
    error: { path: 'spec.rules[0].to[0].operation.not_ports', message: 'did you mean "notPorts"' },
  }),
]);
