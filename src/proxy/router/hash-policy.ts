// RouteAction.hash_policy: header, cookie (generated with Set-Cookie when ttl is set),
// connection_properties.source_ip, query_parameter; combined in order, terminal stops early.
import { randomBytes } from 'node:crypto';
import { ConfigError, durationMs, type Msg } from '../config/proto.js';
import { combineHash, hash32 } from '../upstream/lb/hash.js';
import { queryParam } from './match/query.js';
import type { MatchRequest } from './match/request.js';

export interface HashInput {
  req: MatchRequest;
  sourceIp: string;
  /** Set-Cookie values the response must carry (cookie policies with ttl) */
  setCookies: string[];
}

interface Policy {
  terminal: boolean;
  hash(i: HashInput): number | undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/;\s*|,\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).replace(/^"|"$/g, '');
  }
  return undefined;
}

function compileOne(p: Msg, path: string): Policy {
  const terminal = Boolean(p.terminal);
  if (p.header) {
    const name = (p.header.header_name as string).toLowerCase();
    return { terminal, hash: (i) => hashOf(i.req.header(name)) };
  }
  if (p.cookie) {
    const name = p.cookie.name as string;
    const ttl = durationMs(p.cookie.ttl);
    const cpath = p.cookie.path as string | undefined;
    return {
      terminal,
      hash(i) {
        const v = cookieValue(i.req.header('cookie'), name);
        if (v !== undefined) return hash32(v);
        if (ttl === undefined) return undefined;
        const gen = randomBytes(8).toString('hex');
        let c = `${name}="${gen}"`;
        if (ttl > 0) c += `; Max-Age=${Math.floor(ttl / 1000)}`;
        if (cpath) c += `; Path=${cpath}`;
        i.setCookies.push(`${c}; HttpOnly`);
        return hash32(gen);
      },
    };
  }
  if (p.connection_properties) {
    if (!p.connection_properties.source_ip) return { terminal, hash: () => undefined };
    return { terminal, hash: (i) => hashOf(i.sourceIp) };
  }
  if (p.query_parameter) {
    const name = p.query_parameter.name as string;
    return { terminal, hash: (i) => hashOf(queryParam(i.req.path, name)) };
  }
  throw new ConfigError(path, 'hash policy must be header, cookie, connection_properties or query_parameter');
}

function hashOf(v: string | undefined): number | undefined {
  return v === undefined ? undefined : hash32(v);
}

export type HashPolicy = (i: HashInput) => number | undefined;

export function compileHashPolicy(list: Msg[] | undefined, path: string): HashPolicy | undefined {
  if (!list?.length) return undefined;
  const ps = list.map((p, i) => compileOne(p, `${path}[${i}]`));
  return (input) => {
    let h: number | undefined;
    for (const p of ps) {
      const x = p.hash(input);
      if (x !== undefined) {
        h = combineHash(h, x);
        if (p.terminal) break;
      }
    }
    return h;
  };
}
