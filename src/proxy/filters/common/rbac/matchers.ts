// envoy.config.rbac.v3 Permission and Principal → predicates compiled once per config. Semantics
// follow Envoy's RBAC matchers: header and path matchers never match at L4, url_path and
// uri_template see the path without query or fragment, `authenticated` needs a TLS connection
// and matches any peer URI SAN, then DNS SAN, then the subject.
import { ConfigError, type Msg } from '../../../config/proto.js';
import { compileHeaderMatcher } from '../../../router/match/header.js';
import { pathWithoutQuery } from '../../../router/match/request.js';
import { compileStringMatcher, type StringPredicate } from '../../../router/match/string.js';
import { compileCidr } from './cidr.js';
import type { RbacRequest } from './request.js';
import { compileUriTemplate } from './uri-template.js';
import { compileMetadataMatcher } from './value.js';

export type RbacPredicate = (r: RbacRequest) => boolean;

const ANY: RbacPredicate = () => true;

function all(ps: RbacPredicate[]): RbacPredicate {
  return (r) => ps.every((p) => p(r));
}

function some(ps: RbacPredicate[]): RbacPredicate {
  return (r) => ps.some((p) => p(r));
}

function set<T>(
  list: T[] | undefined,
  path: string,
  compile: (m: T, p: string) => RbacPredicate,
): RbacPredicate[] {
  if (!list?.length) throw new ConfigError(path, 'at least one rule is required');
  return list.map((m, i) => compile(m, `${path}[${i}]`));
}

function header(h: Msg, path: string): RbacPredicate {
  const p = compileHeaderMatcher(h, path);
  return (r) => r.http !== undefined && p(r.http);
}

/** envoy.type.matcher.v3.PathMatcher: the path without query and fragment. */
function urlPath(m: Msg, path: string): RbacPredicate {
  if (!m.path) throw new ConfigError(`${path}.path`, 'path is required');
  const s = compileStringMatcher(m.path, `${path}.path`);
  return (r) => r.http !== undefined && s(pathWithoutQuery(r.http.path).split('#', 1)[0]!);
}

function uriTemplate(m: Msg, path: string): RbacPredicate {
  const t = compileUriTemplate(m, path);
  return (r) => r.http !== undefined && t(r.http.path);
}

function metadata(m: Msg, path: string): RbacPredicate {
  const p = compileMetadataMatcher(m, path);
  return (r) => p((f) => r.metadata(f));
}

function serverName(m: Msg, path: string): RbacPredicate {
  const s = compileStringMatcher(m, path);
  return (r) => s(r.connection.serverName || r.connection.ssl?.sni || '');
}

function authenticated(a: Msg, path: string): RbacPredicate {
  const name: StringPredicate | undefined = a.principal_name
    ? compileStringMatcher(a.principal_name, `${path}.principal_name`)
    : undefined;
  return (r) => {
    const ssl = r.connection.ssl;
    if (!ssl) return false;
    if (!name) return true;
    return ssl.peerUriSans.some(name) || ssl.peerDnsSans.some(name) || name(ssl.peerSubject);
  };
}

export function compilePermission(p: Msg, path: string): RbacPredicate {
  if (p.and_rules) return all(set(p.and_rules.rules, `${path}.and_rules.rules`, compilePermission));
  if (p.or_rules) return some(set(p.or_rules.rules, `${path}.or_rules.rules`, compilePermission));
  if (p.any) return ANY;
  if (p.header) return header(p.header, `${path}.header`);
  if (p.url_path) return urlPath(p.url_path, `${path}.url_path`);
  if (p.uri_template) return uriTemplate(p.uri_template, `${path}.uri_template`);
  if (p.destination_ip) {
    const c = compileCidr(p.destination_ip, `${path}.destination_ip`);
    return (r) => c(r.connection.localAddress);
  }
  if (p.destination_port !== undefined) {
    const port = Number(p.destination_port);
    return (r) => r.connection.localPort === port;
  }
  if (p.destination_port_range) {
    const start = Number(p.destination_port_range.start ?? 0);
    const end = Number(p.destination_port_range.end ?? 0);
    return (r) => r.connection.localPort >= start && r.connection.localPort < end;
  }
  if (p.metadata) return metadata(p.metadata, `${path}.metadata`);
  if (p.not_rule) {
    const inner = compilePermission(p.not_rule, `${path}.not_rule`);
    return (r) => !inner(r);
  }
  if (p.requested_server_name) return serverName(p.requested_server_name, `${path}.requested_server_name`);
  throw new ConfigError(path, `unsupported permission ${Object.keys(p).join(', ') || '(empty)'}`);
}

export function compilePrincipal(p: Msg, path: string): RbacPredicate {
  if (p.and_ids) return all(set(p.and_ids.ids, `${path}.and_ids.ids`, compilePrincipal));
  if (p.or_ids) return some(set(p.or_ids.ids, `${path}.or_ids.ids`, compilePrincipal));
  if (p.any) return ANY;
  if (p.authenticated) return authenticated(p.authenticated, `${path}.authenticated`);
  if (p.source_ip) {
    const c = compileCidr(p.source_ip, `${path}.source_ip`);
    return (r) => c(r.connection.remoteAddress);
  }
  if (p.direct_remote_ip) {
    const c = compileCidr(p.direct_remote_ip, `${path}.direct_remote_ip`);
    return (r) => c(r.connection.remoteAddress);
  }
  if (p.remote_ip) {
    const c = compileCidr(p.remote_ip, `${path}.remote_ip`);
    return (r) => c(r.remoteIp);
  }
  if (p.header) return header(p.header, `${path}.header`);
  if (p.url_path) return urlPath(p.url_path, `${path}.url_path`);
  if (p.metadata) return metadata(p.metadata, `${path}.metadata`);
  if (p.not_id) {
    const inner = compilePrincipal(p.not_id, `${path}.not_id`);
    return (r) => !inner(r);
  }
  throw new ConfigError(path, `unsupported principal ${Object.keys(p).join(', ') || '(empty)'}`);
}
