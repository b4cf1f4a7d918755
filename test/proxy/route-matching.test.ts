// Route matching as a table: request → expected route name (Envoy's virtual host precedence,
// path specifiers, header/query matchers, runtime_fraction). Pure: no sockets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseProtoJson } from '../../src/proxy/config/proto.js';
import { parsePerFilterConfig } from '../../src/proxy/filters/registry.js';
import type { MatchRequest } from '../../src/proxy/router/match/request.js';
import { RouteTable } from '../../src/proxy/router/route-config.js';

function table(yaml: string, random = () => 0.5): RouteTable {
  const raw = parseProtoJson('envoy.config.route.v3.RouteConfiguration', parseYaml(yaml));
  return new RouteTable(raw, { random, parsePerFilter: parsePerFilterConfig, hcmUpgrades: new Map() });
}

function req(
  authority: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): MatchRequest {
  const pseudo: Record<string, string> = { ':method': method, ':path': path, ':authority': authority };
  return { method, path, authority, scheme: 'http', header: (n) => pseudo[n] ?? headers[n] };
}

const r = (name: string): string => `{match: {prefix: /}, name: ${name}, direct_response: {status: 200}}`;

describe('virtual host selection', () => {
  const t = table(`
virtual_hosts:
- {name: exact, domains: [api.example.com], routes: [${r('exact')}]}
- {name: exact-port, domains: ["api.example.com:8080"], routes: [${r('exact-port')}]}
- {name: suffix-long, domains: ["*.api.example.com"], routes: [${r('suffix-long')}]}
- {name: suffix, domains: ["*.example.com"], routes: [${r('suffix')}]}
- {name: prefix, domains: ["api.*"], routes: [${r('prefix')}]}
- {name: any, domains: ["*"], routes: [${r('any')}]}
`);
  const cases: [string, string][] = [
    ['api.example.com', 'exact'],
    ['API.Example.com', 'exact'],
    ['api.example.com:8080', 'exact-port'],
    ['v1.api.example.com', 'suffix-long'],
    ['www.example.com', 'suffix'],
    ['api.other.org', 'prefix'],
    ['example.com', 'any'],
    // The port is part of the host: "*.example.com" cannot match, "api.*" can.
    ['api.example.com:9090', 'prefix'],
  ];
  for (const [host, want] of cases)
    it(`${host} → ${want}`, () => assert.equal(t.route(req(host, '/'))?.name, want));

  it('ignore_port_in_host_matching strips the port', () => {
    const t2 = table(`
ignore_port_in_host_matching: true
virtual_hosts: [{name: a, domains: [svc], routes: [${r('a')}]}]`);
    assert.equal(t2.route(req('svc:80', '/'))?.name, 'a');
  });

  it('rejects duplicate domains', () =>
    assert.throws(
      () =>
        table(`virtual_hosts: [{name: a, domains: [x], routes: []}, {name: b, domains: [x], routes: []}]`),
      /duplicated/,
    ));
});

describe('route match', () => {
  const t = table(`
virtual_hosts:
- name: v
  domains: ["*"]
  routes:
  - {name: exact-path, match: {path: /exact}, direct_response: {status: 200}}
  - {name: ci-path, match: {path: /CI, case_sensitive: false}, direct_response: {status: 200}}
  - {name: regex, match: {safe_regex: {regex: "/users/[0-9]+"}}, direct_response: {status: 200}}
  - {name: sep, match: {path_separated_prefix: /api}, direct_response: {status: 200}}
  - name: hdr-exact
    match: {prefix: /h, headers: [{name: x-env, string_match: {exact: prod}}]}
    direct_response: {status: 200}
  - name: hdr-legacy-prefix
    match: {prefix: /h, headers: [{name: x-env, prefix_match: can}]}
    direct_response: {status: 200}
  - name: hdr-regex
    match: {prefix: /h, headers: [{name: x-env, safe_regex_match: {regex: "dev-\\\\d+"}}]}
    direct_response: {status: 200}
  - name: hdr-absent
    match: {prefix: /h, headers: [{name: x-env, present_match: true, invert_match: true}]}
    direct_response: {status: 200}
  - name: hdr-not-staging
    match: {prefix: /h, headers: [{name: x-env, string_match: {exact: staging}, invert_match: true}]}
    direct_response: {status: 200}
  - name: query
    match: {prefix: /q, query_parameters: [{name: debug, string_match: {exact: "1"}}]}
    direct_response: {status: 200}
  - name: query-present
    match: {prefix: /q, query_parameters: [{name: trace, present_match: true}]}
    direct_response: {status: 200}
  - name: method
    match: {prefix: /m, headers: [{name: ":method", string_match: {exact: POST}}]}
    direct_response: {status: 200}
  - name: grpc
    match: {prefix: /svc.Greeter/, grpc: {}}
    direct_response: {status: 200}
  - {name: fallback, match: {prefix: /}, direct_response: {status: 404}}
`);
  const cases: [string, Record<string, string>, string, string?][] = [
    ['/exact', {}, 'exact-path'],
    ['/exact?x=1', {}, 'exact-path'],
    ['/exact/more', {}, 'fallback'],
    ['/ci', {}, 'ci-path'],
    ['/users/42', {}, 'regex'],
    ['/users/42?x', {}, 'regex'],
    ['/users/4x', {}, 'fallback'],
    ['/api', {}, 'sep'],
    ['/api/v1', {}, 'sep'],
    ['/apis', {}, 'fallback'],
    ['/h', { 'x-env': 'prod' }, 'hdr-exact'],
    ['/h', { 'x-env': 'canary' }, 'hdr-legacy-prefix'],
    ['/h', { 'x-env': 'dev-7' }, 'hdr-regex'],
    ['/h', {}, 'hdr-absent'],
    ['/h', { 'x-env': 'other' }, 'hdr-not-staging'],
    ['/h', { 'x-env': 'staging' }, 'fallback'],
    ['/q?debug=1', {}, 'query'],
    ['/q?a=b&debug=1', {}, 'query'],
    ['/q?debug=2', {}, 'fallback'],
    ['/q?trace', {}, 'query-present'],
    ['/m', {}, 'fallback'],
    ['/svc.Greeter/Hello', { 'content-type': 'application/grpc' }, 'grpc'],
    ['/svc.Greeter/Hello', {}, 'fallback'],
  ];
  for (const [path, headers, want] of cases)
    it(`${path} ${JSON.stringify(headers)} → ${want}`, () =>
      assert.equal(t.route(req('x', path, headers))?.name, want));

  it(':method is matchable', () => assert.equal(t.route(req('x', '/m', {}, 'POST'))?.name, 'method'));
});

describe('runtime_fraction and weighted clusters', () => {
  const yaml = `
virtual_hosts:
- name: v
  domains: ["*"]
  routes:
  - name: canary
    match: {prefix: /, runtime_fraction: {default_value: {numerator: 25, denominator: HUNDRED}}}
    direct_response: {status: 200}
  - {name: stable, match: {prefix: /}, direct_response: {status: 200}}
`;
  it('below the fraction → canary', () =>
    assert.equal(table(yaml, () => 0.2).route(req('x', '/'))?.name, 'canary'));
  it('above the fraction → stable', () =>
    assert.equal(table(yaml, () => 0.3).route(req('x', '/'))?.name, 'stable'));

  it('weighted_clusters weights must add up to total_weight', () =>
    assert.throws(
      () =>
        table(`
virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {prefix: /}, route: {weighted_clusters: {total_weight: 100, clusters: [{name: a, weight: 10}]}}}]}]`),
      /total_weight/,
    ));
});

describe('validation errors carry field paths', () => {
  it('bad regex', () =>
    assert.throws(
      () =>
        table(
          `virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {safe_regex: {regex: "(a"}}, route: {cluster: c}}]}]`,
        ),
      /virtual_hosts\[v\]\.routes\[0\]\.match\.safe_regex: invalid regex/,
    ));
  it('RE2 rejects backreferences', () =>
    assert.throws(
      () =>
        table(
          `virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {safe_regex: {regex: "(a)\\\\1"}}, route: {cluster: c}}]}]`,
        ),
      /invalid regex/,
    ));
});
