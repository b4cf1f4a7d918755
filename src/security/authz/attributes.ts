// How each AuthorizationPolicy attribute (source/operation fields and `when` keys) becomes an Envoy
// RBAC permission or principal (Istio pilot/pkg/security/authz/model/generator.go semantics).
import type { Json } from '../envoy.js';
import { FilterName } from '../envoy.js';
import {
  cidrRange,
  exactMatcher,
  headerMatcher,
  hostMatcher,
  hostRegexMatcher,
  metadataListMatcher,
  metadataMatcher,
  orValueMatcher,
  prefixMatcher,
  quoteMeta,
  regexMatcher,
  stringMatcher,
  stringOrMatcher,
  stringValueMatcher,
  suffixMatcher,
} from '../matchers.js';
import { pathPermission } from './paths.js';

export interface AttributeContext {
  key: string;
  /** Namespace of the policy (the default for a bare service account name). */
  namespace: string;
  /** Hosts as regexes, for proxies of Istio before 1.11. */
  legacyHostRegex: boolean;
}

/**
 * An attribute either turns each value into a matcher (the values are OR-ed), or (`all`) turns the
 * whole value list into one matcher. HTTP-only attributes cannot be built for TCP filter chains.
 */
export interface Attribute {
  target: 'permission' | 'principal';
  httpOnly?: boolean;
  one?: (value: string, ctx: AttributeContext) => Json;
  all?: (values: readonly string[], ctx: AttributeContext) => Json;
}

/** The JWT payload the jwt_authn filter writes to dynamic metadata (see authn/jwt.ts). */
export const JWT_PAYLOAD_KEY = 'payload';

const authenticated = (m: Json): Json => ({ authenticated: { principal_name: m } });
const principalMetadata = (m: Json): Json => ({ metadata: m });
const principalAnd = (ids: Json[]): Json => ({ and_ids: { ids } });
const principalOr = (ids: Json[]): Json => ({ or_ids: { ids } });

function port(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new Error(`invalid port ${value}`);
  return n;
}

/** `[a][b]` → ['a', 'b']; `[a.b]` → ['a.b'] (Istio's extractNameInNestedBrackets). */
export function bracketNames(s: string): string[] {
  const nested = s.match(/^(\[[^[\]]*\])+$/);
  if (nested) return [...s.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!);
  if (!s.startsWith('[') || !s.endsWith(']')) throw new Error(`expecting format [<NAME>], but found ${s}`);
  return [s.slice(1, -1)];
}

const jwtClaim = (claims: readonly string[], value: Json): Json =>
  metadataListMatcher(FilterName.jwtAuthn, [JWT_PAYLOAD_KEY, ...claims], value, true);

const jwtStringClaim = (claim: string, m: Json): Json =>
  metadataMatcher(FilterName.jwtAuthn, [JWT_PAYLOAD_KEY, claim], stringValueMatcher(m));

const ANY = regexMatcher('.+');

/** request.auth.principal / requestPrincipals: `iss/sub` with `*` on either side. */
function requestPrincipal(value: string): Json {
  const idx = value.lastIndexOf('/');
  const found = idx >= 0;
  const iss = found ? value.slice(0, idx) : value;
  const sub = found ? value.slice(idx + 1) : '';
  let matchIss: Json;
  let matchSub: Json;
  if (value === '*') [matchIss, matchSub] = [ANY, ANY];
  else if (value.startsWith('*')) {
    if (found) [matchIss, matchSub] = [iss === '*' ? ANY : suffixMatcher(iss.slice(1)), exactMatcher(sub)];
    else [matchIss, matchSub] = [ANY, suffixMatcher(value.slice(1))];
  } else if (value.endsWith('*')) {
    if (found)
      [matchIss, matchSub] = [exactMatcher(iss), sub === '*' ? ANY : prefixMatcher(sub.slice(0, -1))];
    else [matchIss, matchSub] = [prefixMatcher(value.slice(0, -1)), ANY];
  } else [matchIss, matchSub] = [exactMatcher(iss), exactMatcher(sub)];
  return principalAnd([
    principalMetadata(jwtStringClaim('iss', matchIss)),
    principalMetadata(jwtStringClaim('sub', matchSub)),
  ]);
}

function trustDomain(value: string): Json {
  if (value === '*') return authenticated(prefixMatcher('spiffe://'));
  if (!value.includes('*')) return authenticated(prefixMatcher(`spiffe://${value}/`));
  const star = value.indexOf('*');
  const escaped = `${quoteMeta(value.slice(0, star))}[^/]*${quoteMeta(value.slice(star + 1))}`;
  return authenticated(regexMatcher(`spiffe://${escaped}/.*`));
}

function serviceAccount(value: string, namespace: string): Json {
  const slash = value.indexOf('/');
  const [ns, sa] = slash >= 0 ? [value.slice(0, slash), value.slice(slash + 1)] : [namespace, value];
  return authenticated(regexMatcher(`spiffe://.+/ns/${quoteMeta(ns)}/(.+/|)sa/${quoteMeta(sa)}(/.+)?`));
}

/** experimental.envoy.filters.<filter>[<key>]: dynamic metadata of another filter. */
function envoyFilterMetadata(values: readonly string[], key: string): Json {
  const body = key.slice('experimental.'.length).replace(/\]$/, '');
  const bracket = body.indexOf('[');
  if (bracket < 0) throw new Error(`invalid key: ${key}`);
  const matchers = values.map((v) =>
    v.startsWith('[') && v.endsWith(']')
      ? { list_match: { one_of: stringValueMatcher(stringMatcher(v.replace(/^\[+|\]+$/g, ''))) } }
      : stringValueMatcher(stringMatcher(v)),
  );
  return {
    metadata: metadataMatcher(body.slice(0, bracket), [body.slice(bracket + 1)], orValueMatcher(matchers)),
  };
}

export const Attributes = {
  destinationIp: { target: 'permission', one: (v) => ({ destination_ip: cidrRange(v) }) },
  destinationPort: { target: 'permission', one: (v) => ({ destination_port: port(v) }) },
  connectionSni: { target: 'permission', one: (v) => ({ requested_server_name: stringMatcher(v) }) },
  envoyFilter: { target: 'permission', all: (vs, ctx) => envoyFilterMetadata(vs, ctx.key) },
  host: {
    target: 'permission',
    httpOnly: true,
    one: (v, ctx) => ({ header: (ctx.legacyHostRegex ? hostRegexMatcher : hostMatcher)(':authority', v) }),
  },
  method: { target: 'permission', httpOnly: true, one: (v) => ({ header: headerMatcher(':method', v) }) },
  path: { target: 'permission', httpOnly: true, one: (v) => pathPermission(v) },
  sourceIp: { target: 'principal', one: (v) => ({ direct_remote_ip: cidrRange(v) }) },
  remoteIp: { target: 'principal', one: (v) => ({ remote_ip: cidrRange(v) }) },
  sourceNamespace: {
    target: 'principal',
    one: (v) => authenticated(regexMatcher(`.*/ns/${v.split('*').map(quoteMeta).join('.*')}/.*`)),
  },
  sourceTrustDomain: { target: 'principal', one: trustDomain },
  sourceServiceAccount: { target: 'principal', one: (v, ctx) => serviceAccount(v, ctx.namespace) },
  sourcePrincipal: { target: 'principal', one: (v) => authenticated(stringMatcher(v, 'spiffe://')) },
  requestPrincipal: {
    target: 'principal',
    httpOnly: true,
    all: (vs) => (vs.length === 1 ? requestPrincipal(vs[0]!) : principalOr(vs.map(requestPrincipal))),
  },
  requestAudiences: {
    target: 'principal',
    httpOnly: true,
    all: (vs) => principalMetadata(jwtClaim(['aud'], stringOrMatcher(vs))),
  },
  requestPresenter: {
    target: 'principal',
    httpOnly: true,
    all: (vs) => principalMetadata(jwtClaim(['azp'], stringOrMatcher(vs))),
  },
  requestHeader: {
    target: 'principal',
    httpOnly: true,
    one: (v, ctx) => ({
      header: headerMatcher(bracketNames(ctx.key.slice('request.headers'.length))[0]!, v),
    }),
  },
  /** Istio 1.1 ServiceRole `request.headers[...]` constraints: a header on the permission side. */
  requestHeaderPermission: {
    target: 'permission',
    httpOnly: true,
    one: (v, ctx) => ({
      header: headerMatcher(bracketNames(ctx.key.slice('request.headers'.length))[0]!, v),
    }),
  },
  requestClaim: {
    target: 'principal',
    httpOnly: true,
    all: (vs, ctx) =>
      principalMetadata(
        jwtClaim(bracketNames(ctx.key.slice('request.auth.claims'.length)), stringOrMatcher(vs)),
      ),
  },
} satisfies Record<string, Attribute>;

/** The attribute behind a `when` key; undefined for keys Istio does not know. */
export function attributeForKey(key: string): Attribute | undefined {
  const exact: Record<string, Attribute> = {
    'destination.ip': Attributes.destinationIp,
    'destination.port': Attributes.destinationPort,
    'connection.sni': Attributes.connectionSni,
    'source.ip': Attributes.sourceIp,
    'remote.ip': Attributes.remoteIp,
    'source.namespace': Attributes.sourceNamespace,
    'source.trustDomain': Attributes.sourceTrustDomain,
    'source.serviceAccount': Attributes.sourceServiceAccount,
    'source.principal': Attributes.sourcePrincipal,
    'request.auth.principal': Attributes.requestPrincipal,
    'request.auth.audiences': Attributes.requestAudiences,
    'request.auth.presenter': Attributes.requestPresenter,
  };
  if (exact[key]) return exact[key];
  if (key.startsWith('experimental.envoy.filters.')) return Attributes.envoyFilter;
  if (key.startsWith('request.headers')) return Attributes.requestHeader;
  if (key.startsWith('request.auth.claims')) return Attributes.requestClaim;
  return undefined;
}
