// Envoy-config conformance: every test/proxy/conformance/*.yaml is a bootstrap written as Envoy
// accepts it, with "# expect:" lines stating what Envoy's docs specify. Cluster endpoint ports in
// the file name echo upstreams the runner starts on ephemeral ports (the file is rewritten in
// memory only). Listener ports are 0.
//   # expect: METHOD http://HOST/PATH [header=value …] -> STATUS [upstream=PORT] [body=…]
//             [path=…] [host=…] [location=…]
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { request, startProxy, startUpstream, type Echo, type Running } from './helpers.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'conformance');

interface Expectation {
  line: string;
  method: string;
  host: string;
  path: string;
  headers: Record<string, string>;
  status: number;
  want: Record<string, string>;
}

function parseExpect(line: string): Expectation {
  const [lhs, rhs] = line.split('->').map((s) => s.trim()) as [string, string];
  const [method, url, ...hdrs] = lhs.split(/\s+/) as [string, string, ...string[]];
  const u = new URL(url);
  const [status, ...wants] = rhs.split(/\s+(?=[a-z]+=)/) as [string, ...string[]];
  const kv = (xs: string[]): Record<string, string> =>
    Object.fromEntries(xs.map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
  return {
    line,
    method,
    host: u.host,
    path: u.pathname + u.search,
    headers: kv(hdrs),
    status: Number(status),
    want: kv(wants),
  };
}

type Obj = Record<string, unknown>;

/** Every socket_address under static_resources.clusters. */
function clusterAddresses(doc: Obj): Obj[] {
  const out: Obj[] = [];
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) return o.forEach(walk);
    if (o && typeof o === 'object') {
      const r = o as Obj;
      if (r.socket_address) out.push(r.socket_address as Obj);
      Object.values(r).forEach(walk);
    }
  };
  walk(((doc.static_resources as Obj | undefined)?.clusters as unknown) ?? []);
  return out;
}

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  describe(`conformance: ${file}`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const expectations = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => parseExpect(m[1]!));
    const upstreams: Awaited<ReturnType<typeof startUpstream>>[] = [];
    const portMap = new Map<number, number>();
    let px: Running;
    let port: number;
    before(async () => {
      const doc = parseYaml(text) as Obj;
      for (const sa of clusterAddresses(doc)) {
        const declared = Number(sa.port_value);
        if (!portMap.has(declared)) {
          const up = await startUpstream(String(declared));
          upstreams.push(up);
          portMap.set(declared, up.port);
        }
        sa.port_value = portMap.get(declared);
      }
      px = await startProxy(stringify(doc));
      const first = ((doc.static_resources as Obj).listeners as Obj[])[0]!.name as string;
      port = await px.port(first);
    });
    after(async () => {
      await px.stop();
      await Promise.all(upstreams.map((u) => u.close()));
    });
    assert.ok(expectations.length > 0, `${file} has no expectations`);
    for (const e of expectations)
      it(e.line, async () => {
        const r = await request(port, e.path, { method: e.method, headers: { host: e.host, ...e.headers } });
        assert.equal(r.status, e.status, r.body);
        const echo = r.headers['x-upstream'] ? (JSON.parse(r.body) as Echo) : undefined;
        for (const [k, v] of Object.entries(e.want)) {
          if (k === 'upstream') assert.equal(echo?.upstream, v);
          else if (k === 'body') assert.equal(r.body, v);
          else if (k === 'path') assert.equal(echo?.url, v);
          else if (k === 'host') assert.equal(echo?.headers.host, v);
          else if (k === 'location') assert.equal(r.headers.location, v);
          else assert.fail(`unknown expectation ${k}`);
        }
      });
  });
}
