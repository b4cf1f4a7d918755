// Table-driven checks of Istio's networking validation rules: each case is a spec of one kind and
// either no errors or the exact field path and a fragment of Istio's message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkResource } from '../validate.js';
import { formatPath } from '../schema/dsl.js';

type Spec = Record<string, unknown>;
/** [name, spec, expected error as [path, message fragment]] — no expectation means valid. */
type Case = [string, Spec, [string, string]?];

function issues(kind: string, spec: Spec, opts: { name?: string; version?: string } = {}) {
  return checkResource({
    apiVersion: `networking.istio.io/${opts.version ?? 'v1'}`,
    kind,
    metadata: { name: opts.name ?? 'x', namespace: 'default' },
    spec,
  }).map((i) => ({ severity: i.severity, path: formatPath(i.path), message: i.message }));
}

function run(kind: string, cases: Case[], version?: string): void {
  for (const [name, spec, expected] of cases) {
    test(name, () => {
      const errors = issues(kind, spec, { version }).filter((i) => i.severity === 'error');
      if (!expected) {
        assert.deepEqual(errors, []);
        return;
      }
      const [path, fragment] = expected;
      assert.ok(
        errors.some((e) => e.path === path && e.message.includes(fragment)),
        `expected ${path}: …${fragment}…, got ${JSON.stringify(errors, null, 1)}`,
      );
    });
  }
}

const dest = (host: string, extra: Spec = {}): Spec => ({ destination: { host, ...extra } });
const vs = (http: Spec, extra: Spec = {}): Spec => ({ hosts: ['reviews'], http: [http], ...extra });
const to = (host = 'reviews'): Spec => ({ route: [dest(host)] });

describe('VirtualService', () => {
  run('VirtualService', [
    ['single destination without weight', vs(to())],
    [
      'weights summing to 100',
      vs({
        route: [
          { ...dest('reviews', { subset: 'v1' }), weight: 80 },
          { ...dest('reviews', { subset: 'v2' }), weight: 20 },
        ],
      }),
    ],
    ['delegate (no hosts) with a route', { http: [to()] }],
    [
      'root route delegating',
      vs({ match: [{ uri: { prefix: '/r' } }], delegate: { name: 'r', namespace: 'ns' } }),
    ],
    ['gateway bound with host *', { hosts: ['*'], gateways: ['istio-system/gw'], http: [to()] }],
    ['redirect only', vs({ redirect: { uri: '/maintenanced', authority: 'ads.weather.svc.cluster.local' } })],
    ['direct response only', vs({ directResponse: { status: 503, body: { string: 'down' } } })],
    [
      'RE2 regex header match',
      vs({ match: [{ headers: { 'user-agent': { regex: '.*(Chrome/([\\d.]+)).*' } } }], ...to() }),
    ],
    [
      'retries with status codes',
      vs({
        ...to(),
        retries: { attempts: 3, perTryTimeout: '1s', retryOn: '5xx,gateway-error,503,cancelled' },
      }),
    ],
    [
      'fault delay and abort',
      vs({
        ...to(),
        fault: {
          delay: { fixedDelay: '3s', percentage: { value: 100 } },
          abort: { httpStatus: 500, percentage: { value: 0.5 } },
        },
      }),
    ],
    [
      'CORS with StringMatch origins',
      vs({
        ...to(),
        corsPolicy: {
          allowOrigins: [{ exact: 'https://a.com' }, { regex: 'https://.*\\.b\\.com' }],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['x-custom'],
          maxAge: '24h',
        },
      }),
    ],
    [
      'mirror with percentage',
      vs({ ...to(), mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 50 } }),
    ],
    ['mirrors list', vs({ ...to(), mirrors: [{ destination: { host: 'a' }, percentage: { value: 10 } }] })],
    [
      'TCP route with weights',
      {
        hosts: ['tcp-echo'],
        tcp: [
          {
            match: [{ port: 9000 }],
            route: [
              { ...dest('tcp-echo'), weight: 80 },
              { ...dest('tcp-echo'), weight: 20 },
            ],
          },
        ],
      },
    ],
    [
      'TLS route with SNI under the host',
      {
        hosts: ['*.example.com'],
        tls: [{ match: [{ sniHosts: ['a.example.com'], port: 443 }], route: [dest('a.example.com')] }],
      },
    ],
    [
      'JWT claim routing on a gateway',
      {
        hosts: ['a.com'],
        gateways: ['gw'],
        http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'g' } } }], ...to() }],
      },
    ],
    ['IP address host', { hosts: ['10.0.0.1'], http: [to()] }],
    [
      'header operations',
      vs({
        ...to(),
        headers: {
          request: { set: { 'x-a': 'b', ':authority': 'c.com' }, remove: ['x-b'] },
          response: { add: { 'x-c': '%HOSTNAME%' } },
        },
      }),
    ],
    ['exportTo . and *-free list', vs(to(), { exportTo: ['.', 'other'] })],
    [
      'weight out of range',
      vs({ route: [{ ...dest('reviews'), weight: 101 }] }),
      ['spec.http[0].route[0].weight', 'weight must be in range 0..100'],
    ],
    [
      'negative weight',
      vs({
        route: [
          { ...dest('a'), weight: -1 },
          { ...dest('b'), weight: 101 },
        ],
      }),
      ['spec.http[0].route[0].weight', 'weight must be in range 0..100'],
    ],
    [
      'weights not summing to 100',
      vs({
        route: [
          { ...dest('a'), weight: 80 },
          { ...dest('b'), weight: 10 },
        ],
      }),
      ['spec.http[0].route', 'total destination weight 90 != 100'],
    ],
    [
      'several destinations without weights',
      vs({ route: [dest('a'), dest('b')] }),
      ['spec.http[0].route', 'total destination weight = 0'],
    ],
    [
      'no routes of any kind',
      { hosts: ['a'] },
      ['spec', 'http, tcp or tls must be provided in virtual service'],
    ],
    [
      'HTTP route without action',
      vs({ match: [{ uri: { prefix: '/' } }] }),
      ['spec.http[0]', 'HTTP route, redirect or direct_response is required'],
    ],
    [
      'route and redirect',
      vs({ ...to(), redirect: { uri: '/x' } }),
      ['spec.http[0]', 'HTTP route cannot contain both route and redirect'],
    ],
    [
      'rewrite and redirect',
      vs({ redirect: { uri: '/x' }, rewrite: { uri: '/y' } }),
      ['spec.http[0]', 'cannot contain both rewrite and redirect'],
    ],
    [
      'redirect and direct response',
      vs({ redirect: { uri: '/x' }, directResponse: { status: 200 } }),
      ['spec.http[0]', 'both direct_response and redirect'],
    ],
    [
      'route and direct response',
      vs({ ...to(), directResponse: { status: 200 } }),
      ['spec.http[0]', 'both route and direct_response'],
    ],
    [
      'fault with redirect',
      vs({ redirect: { uri: '/x' }, fault: { abort: { httpStatus: 500 } } }),
      ['spec.http[0]', 'both fault and redirect'],
    ],
    [
      'direct response status',
      vs({ directResponse: { status: 700 } }),
      ['spec.http[0].directResponse.status', 'HTTP status 700 is not in range 200-599'],
    ],
    [
      'empty redirect',
      vs({ redirect: {} }),
      ['spec.http[0].redirect', 'redirect must specify URI, authority, scheme, or port'],
    ],
    [
      'redirect code not 3xx',
      vs({ redirect: { uri: '/x', redirectCode: 200 } }),
      ['spec.http[0].redirect.redirectCode', '200 is not a valid redirect code, must be 3xx'],
    ],
    [
      'redirect scheme',
      vs({ redirect: { scheme: 'ftp' } }),
      ['spec.http[0].redirect.scheme', 'invalid redirect scheme, must be "http" or "https"'],
    ],
    [
      'redirect uri and prefixRewrite',
      vs({ redirect: { uri: '/a', prefixRewrite: '/b' } }),
      ['spec.http[0].redirect', 'redirect may only specify one of uri or prefix_rewrite'],
    ],
    [
      'prefixRewrite with an exact uri match',
      vs({ match: [{ uri: { exact: '/a' } }], redirect: { prefixRewrite: '/b' } }),
      ['spec.http[0].redirect', 'requires all URI matches to use prefix match type'],
    ],
    [
      'redirect port and derivePort',
      vs({ redirect: { port: 8080, derivePort: 'FROM_REQUEST_PORT' } }),
      ['spec.http[0].redirect', 'only one of port, derivePort'],
    ],
    [
      'empty rewrite',
      vs({ ...to(), rewrite: {} }),
      ['spec.http[0].rewrite', 'rewrite must specify at least one of URI, UriRegexRewrite, or authority'],
    ],
    [
      'rewrite uri and regex',
      vs({ ...to(), rewrite: { uri: '/', uriRegexRewrite: { match: 'a', rewrite: 'b' } } }),
      ['spec.http[0].rewrite', 'only contain one of URI or UriRegexRewrite'],
    ],
    [
      'regex rewrite without rewrite',
      vs({ ...to(), rewrite: { uriRegexRewrite: { match: '^/a' } } }),
      ['spec.http[0].rewrite.uriRegexRewrite', 'requires both Rewrite and Match'],
    ],
    [
      'regex rewrite does not compile',
      vs({ ...to(), rewrite: { uriRegexRewrite: { match: '(a', rewrite: '/' } } }),
      ['spec.http[0].rewrite.uriRegexRewrite.match', 'missing closing )'],
    ],
    ['timeout below 1ms', vs({ ...to(), timeout: '500us' }), ['spec.http[0].timeout', 'greater than 1ms']],
    [
      'timeout finer than ms',
      vs({ ...to(), timeout: '1.0005s' }),
      ['spec.http[0].timeout', 'only durations to ms precision are supported'],
    ],
    [
      'timeout not a duration',
      vs({ ...to(), timeout: '10' }),
      ['spec.http[0].timeout', 'must be a valid duration greater than 1ms'],
    ],
    [
      'negative attempts',
      vs({ ...to(), retries: { attempts: -1 } }),
      ['spec.http[0].retries.attempts', 'attempts cannot be negative'],
    ],
    [
      'retry policy with zero attempts',
      vs({ ...to(), retries: { retryOn: '5xx' } }),
      ['spec.http[0].retries', 'http retry policy configured when attempts are set to 0 (disabled)'],
    ],
    [
      'unknown retryOn policy',
      vs({ ...to(), retries: { attempts: 2, retryOn: '5xx,bogus' } }),
      ['spec.http[0].retries.retryOn', '"bogus" is not a valid retryOn policy'],
    ],
    [
      'retryOn code that is no HTTP status',
      vs({ ...to(), retries: { attempts: 2, retryOn: '999' } }),
      ['spec.http[0].retries.retryOn', '"999" is not a valid retryOn policy'],
    ],
    [
      'perTryTimeout zero',
      vs({ ...to(), retries: { attempts: 2, perTryTimeout: '0s' } }),
      ['spec.http[0].retries.perTryTimeout', 'greater than 1ms'],
    ],
    [
      'empty fault',
      vs({ ...to(), fault: {} }),
      ['spec.http[0].fault', 'HTTP fault injection must have an abort and/or a delay'],
    ],
    [
      'abort status out of range',
      vs({ ...to(), fault: { abort: { httpStatus: 700 } } }),
      ['spec.http[0].fault.abort.httpStatus', 'HTTP status 700 is not in range 200-599'],
    ],
    [
      'abort gRPC status',
      vs({ ...to(), fault: { abort: { grpcStatus: 'BOGUS' } } }),
      ['spec.http[0].fault.abort.grpcStatus', 'gRPC status "BOGUS" is not supported'],
    ],
    [
      'abort HTTP/2 error',
      vs({ ...to(), fault: { abort: { http2Error: 'x' } } }),
      ['spec.http[0].fault.abort.http2Error', 'HTTP/2 abort fault injection not supported yet'],
    ],
    [
      'abort with two error types',
      vs({ ...to(), fault: { abort: { httpStatus: 500, grpcStatus: 'INTERNAL' } } }),
      ['spec.http[0].fault.abort', 'only one of httpStatus, grpcStatus, http2Error'],
    ],
    [
      'delay percentage above 100',
      vs({ ...to(), fault: { delay: { fixedDelay: '1s', percentage: { value: 150 } } } }),
      [
        'spec.http[0].fault.delay.percentage.value',
        'percentage 150 is neither 0.0, nor in range [0.0001, 100.0]',
      ],
    ],
    [
      'exponential delay',
      vs({ ...to(), fault: { delay: { exponentialDelay: '1s' } } }),
      ['spec.http[0].fault.delay.exponentialDelay', 'exponentialDelay not supported yet'],
    ],
    [
      'mirror and mirrors',
      vs({ ...to(), mirror: { host: 'a' }, mirrors: [{ destination: { host: 'b' } }] }),
      ['spec.http[0]', 'HTTP route cannot contain both mirror and mirrors'],
    ],
    [
      'mirrorPercent above 100',
      vs({ ...to(), mirror: { host: 'a' }, mirrorPercent: 150 }),
      ['spec.http[0].mirrorPercent', 'mirror_percent must have a max value of 100'],
    ],
    [
      'mirrorPercentage above 100',
      vs({ ...to(), mirror: { host: 'a' }, mirrorPercentage: { value: 101 } }),
      ['spec.http[0].mirrorPercentage.value', 'percentage 101 is neither'],
    ],
    [
      'destination host *',
      vs(to('*')),
      ['spec.http[0].route[0].destination.host', 'invalid destination host *'],
    ],
    [
      'destination host with bad label',
      vs(to('re_views')),
      ['spec.http[0].route[0].destination.host', 'domain name "re_views" invalid'],
    ],
    [
      'subset name not a DNS label',
      vs({ route: [dest('a', { subset: 'v1.0' })] }),
      ['spec.http[0].route[0].destination.subset', 'subset name is invalid: v1.0'],
    ],
    [
      'destination port 0',
      vs({ route: [dest('a', { port: { number: 0 } })] }),
      ['spec.http[0].route[0].destination.port.number', 'port must be between 1-65535'],
    ],
    [
      'destination without host',
      vs({ route: [{ destination: { subset: 'v1' } }] }),
      ['spec.http[0].route[0].destination.host', 'Required value'],
    ],
    [
      'lookahead in uri regex',
      vs({ match: [{ uri: { regex: 'a(?=b)' } }], ...to() }),
      ['spec.http[0].match[0].uri.regex', 'Istio uses RE2 style regex-based match'],
    ],
    [
      'regex over 1024 chars',
      vs({ match: [{ uri: { regex: 'a'.repeat(1025) } }], ...to() }),
      ['spec.http[0].match[0].uri.regex', 'regex is too large'],
    ],
    [
      'empty header prefix',
      vs({ match: [{ headers: { 'x-user': { prefix: '' } } }], ...to() }),
      ['spec.http[0].match[0].headers.x-user.prefix', 'prefix string match should not be empty'],
    ],
    [
      'empty header regex',
      vs({ match: [{ headers: { 'x-user': { regex: '' } } }], ...to() }),
      ['spec.http[0].match[0].headers.x-user.regex', 'regex string match should not be empty'],
    ],
    [
      'invalid header name',
      vs({ match: [{ headers: { 'bad header': { exact: 'a' } } }], ...to() }),
      ['spec.http[0].match[0].headers["bad header"]', 'is not a valid header name'],
    ],
    [
      'StringMatch with two kinds',
      vs({ match: [{ uri: { exact: '/a', prefix: '/b' } }], ...to() }),
      ['spec.http[0].match[0].uri', 'only one of exact, prefix, regex'],
    ],
    [
      'match port out of range',
      vs({ match: [{ port: 70000 }], ...to() }),
      ['spec.http[0].match[0].port', 'port must be between 1-65535'],
    ],
    [
      'sourceNamespace not a label',
      vs({ match: [{ sourceNamespace: 'a.b' }], ...to() }),
      ['spec.http[0].match[0].sourceNamespace', 'sourceNamespace match a.b is invalid'],
    ],
    [
      'sourceLabels with bad value',
      vs({ match: [{ sourceLabels: { app: 'a b' } }], ...to() }),
      ['spec.http[0].match[0].sourceLabels.app', 'invalid label value'],
    ],
    [
      'match gateway name with dot',
      vs({ match: [{ gateways: ['istio-system/my.gw'] }], ...to() }),
      ['spec.http[0].match[0].gateways[0]', 'invalid value for gateway name: "my.gw"'],
    ],
    [
      'empty gateway namespace',
      { hosts: ['a'], gateways: ['/gw'], http: [to()] },
      ['spec.gateways[0]', 'config namespace and gateway name cannot be empty'],
    ],
    [
      'host * bound to the mesh',
      { hosts: ['*'], http: [to()] },
      ['spec.hosts[0]', 'wildcard host * is not allowed for virtual services bound to the mesh gateway'],
    ],
    [
      'host * with mesh among gateways',
      { hosts: ['*'], gateways: ['mesh', 'gw'], http: [to()] },
      ['spec.hosts[0]', 'wildcard host * is not allowed'],
    ],
    [
      'malformed host',
      { hosts: ['bad..host'], http: [to()] },
      ['spec.hosts[0]', 'domain name "bad..host" invalid'],
    ],
    [
      'all-numeric top-level domain',
      { hosts: ['a.123'], http: [to()] },
      ['spec.hosts[0]', 'cannot be all-numeric'],
    ],
    [
      'duplicate hosts',
      { hosts: ['reviews', 'reviews'], http: [to()] },
      ['spec.hosts[1]', 'duplicate hosts in virtual service: reviews & reviews'],
    ],
    [
      'overlapping wildcard hosts',
      { hosts: ['*.example.com', 'a.example.com'], http: [to()] },
      ['spec.hosts[1]', 'duplicate hosts in virtual service'],
    ],
    [
      'delegate with gateways',
      { gateways: ['gw'], http: [to()] },
      ['spec.gateways', 'delegate virtual service must have no gateways specified'],
    ],
    [
      'delegate with tcp routes',
      { tcp: [{ route: [dest('a')] }] },
      ['spec.tcp', 'delegate virtual service must have no tcp route specified'],
    ],
    [
      'root route with route',
      vs({ delegate: { name: 'r' }, ...to() }),
      ['spec.http[0].route', 'must not specify route'],
    ],
    [
      'delegate route delegating again',
      { http: [{ delegate: { name: 'r' } }] },
      ['spec.http[0].delegate', 'delegate HTTP route cannot contain delegate'],
    ],
    [
      'JWT claim routing on the mesh',
      vs({ match: [{ headers: { '@request.auth.claims.group': { exact: 'g' } } }], ...to() }),
      [
        'spec.http[0].match[0].headers["@request.auth.claims.group"]',
        'JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway',
      ],
    ],
    [
      'set a pseudo-header',
      vs({ ...to(), headers: { request: { set: { ':path': '/x' } } } }),
      ['spec.http[0].headers.request.set[":path"]', 'header cannot have ":" prefix'],
    ],
    [
      'response Host header',
      vs({ ...to(), headers: { response: { set: { Host: 'a' } } } }),
      ['spec.http[0].headers.response.set.Host', 'cannot set Host header'],
    ],
    [
      'remove the request Host header',
      vs({ ...to(), headers: { request: { remove: ['host'] } } }),
      ['spec.http[0].headers.request.remove[0]', 'cannot set Host header'],
    ],
    [
      'unescaped % in a header value',
      vs({ ...to(), headers: { request: { add: { 'x-a': '100%' } } } }),
      ['spec.http[0].headers.request.add.x-a', 'Un-escaped %'],
    ],
    [
      'destination header operations',
      vs({ route: [{ ...dest('a'), headers: { response: { remove: [':status'] } } }] }),
      ['spec.http[0].route[0].headers.response.remove[0]', 'header cannot have ":" prefix'],
    ],
    [
      'authority set twice',
      vs({ ...to(), rewrite: { authority: 'a.com' }, headers: { request: { set: { host: 'b.com' } } } }),
      [
        'spec.http[0].headers.request.set.host',
        'authority header cannot be set multiple times: have "a.com", attempting to set "b.com"',
      ],
    ],
    [
      'unsupported CORS method',
      vs({ ...to(), corsPolicy: { allowMethods: ['FETCH'] } }),
      ['spec.http[0].corsPolicy.allowMethods[0]', '"FETCH" is not a supported HTTP method'],
    ],
    [
      'empty CORS origin',
      vs({ ...to(), corsPolicy: { allowOrigins: [{ exact: '' }] } }),
      ['spec.http[0].corsPolicy.allowOrigins[0]', 'is not a valid match type for CORS allow origins'],
    ],
    [
      'invalid CORS header',
      vs({ ...to(), corsPolicy: { exposeHeaders: ['a b'] } }),
      ['spec.http[0].corsPolicy.exposeHeaders[0]', 'header name a b is not a valid header name'],
    ],
    [
      'CORS maxAge below a second',
      vs({ ...to(), corsPolicy: { maxAge: '1500ms' } }),
      ['spec.http[0].corsPolicy.maxAge', 'accurate only to seconds precision'],
    ],
    [
      'TLS match without SNI hosts',
      { hosts: ['a.com'], tls: [{ match: [{ sniHosts: [] }], route: [dest('a.com')] }] },
      ['spec.tls[0].match[0].sniHosts', 'TLS match must have at least one SNI host'],
    ],
    [
      'SNI host outside the hosts',
      { hosts: ['a.com'], tls: [{ match: [{ sniHosts: ['b.com'] }], route: [dest('a.com')] }] },
      [
        'spec.tls[0].match[0].sniHosts[0]',
        'SNI host "b.com" is not a compatible subset of any of the virtual service hosts: [a.com]',
      ],
    ],
    [
      'TLS route without destinations',
      { hosts: ['a.com'], tls: [{ match: [{ sniHosts: ['a.com'] }] }] },
      ['spec.tls[0].route', 'TLS route is required'],
    ],
    [
      'TCP route without destinations',
      { hosts: ['a'], tcp: [{ match: [{ port: 1 }] }] },
      ['spec.tcp[0].route', 'TCP route is required'],
    ],
    [
      'TCP destination subnet',
      { hosts: ['a'], tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/33'] }], route: [dest('a')] }] },
      ['spec.tcp[0].match[0].destinationSubnets[0]', '10.0.0.0/33 is not a valid CIDR block'],
    ],
    [
      'misspelled field',
      vs({ rout: [dest('a')] }),
      ['spec.http[0].rout', 'unknown field "rout" (did you mean "route"?)'],
    ],
    [
      'exportTo . and own namespace',
      vs(to(), { exportTo: ['default', '.'] }),
      ['spec.exportTo[1]', 'duplicate entries in exportTo: . and current namespace default'],
    ],
    [
      'exportTo * with others',
      vs(to(), { exportTo: ['*', 'foo'] }),
      ['spec.exportTo', 'cannot have both public (*) and non-public exportTo values'],
    ],
    [
      'exportTo ~ outside ServiceEntry',
      vs(to(), { exportTo: ['~'] }),
      ['spec.exportTo[0]', 'exportTo ~ (none) is not allowed for Istio configuration objects'],
    ],
  ]);

  test('warns where JavaScript would read an RE2 regex differently', () => {
    const warnings = issues(
      'VirtualService',
      vs({ match: [{ uri: { regex: '[[:alpha:]]+\\s\\z' } }], ...to() }),
    ).filter((i) => i.severity === 'warning');
    const text = warnings.map((w) => w.message).join('\n');
    assert.match(text, /POSIX classes/);
    assert.match(text, /ASCII whitespace/);
    assert.match(text, /\\z anchors the whole text/);
    assert.ok(warnings.every((w) => w.path === 'spec.http[0].match[0].uri.regex'));
  });

  test('warns about the legacy <name>.<namespace> gateway reference', () => {
    const w = issues('VirtualService', { hosts: ['a.com'], gateways: ['gw.istio-system'], http: [to()] });
    assert.deepEqual(w, [
      {
        severity: 'warning',
        path: 'spec.gateways[0]',
        message:
          'using legacy gatewayName format "gw.istio-system"; prefer the <namespace>/<name> format: "istio-system/gw"',
      },
    ]);
  });
});
