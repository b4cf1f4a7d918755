import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import type { Clock } from '../xds/server/clock.js';
import { buildJwtAuthnFilter, PUBLIC_ONLY_JWKS } from './authn/jwt.js';
import { JwksResolver } from './jwks-resolver.js';

/** A JWKS server on 127.0.0.1 whose document the test swaps, counting requests per path. */
class JwksServer {
  jwks = '';
  hits = new Map<string, number>();
  private server?: Server;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      this.hits.set(req.url ?? '', (this.hits.get(req.url ?? '') ?? 0) + 1);
      const body =
        req.url === '/issuer/.well-known/openid-configuration'
          ? JSON.stringify({ issuer: `${this.base}/issuer`, jwks_uri: `${this.base}/keys` })
          : req.url === '/jwks.json' || req.url === '/keys'
            ? this.jwks
            : undefined;
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(body ?? 'not found');
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise((r) => this.server?.close(r));
    this.server?.closeAllConnections();
    await closed;
  }
}

/** Timers run only when the test says so; `now` moves with them. */
class FakeClock implements Clock {
  t = 0;
  timers: { at: number; ms: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  /** The pending timer's delay. */
  get pending(): number | undefined {
    return this.timers[0]?.ms;
  }
  fire(): void {
    const next = this.timers.shift();
    assert.ok(next, 'a timer is armed');
    this.t = next.at;
    next.fn();
  }
}

const key = async (kid: string) => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } as JWK };
};
type Key = Awaited<ReturnType<typeof key>>;
const jwksOf = (...keys: Key[]) => JSON.stringify({ keys: keys.map((k) => k.jwk) });
const token = (k: Key) =>
  new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'ES256', kid: k.kid })
    .setIssuer('weather')
    .setExpirationTime('5m')
    .sign(k.privateKey);
const verifies = async (jwks: string | undefined, jwt: string) =>
  jwtVerify(jwt, createLocalJWKSet(JSON.parse(jwks ?? PUBLIC_ONLY_JWKS) as { keys: JWK[] })).then(
    () => true,
    () => false,
  );

const server = new JwksServer();
let k1: Key;
let k2: Key;
before(async () => {
  [k1, k2] = await Promise.all([key('k1'), key('k2')]);
  await server.start();
});
after(() => server.stop());

const changes = (r: JwksResolver) => {
  const seen = { n: 0 };
  r.onChange(() => seen.n++);
  return seen;
};
const nextChange = (r: JwksResolver) => new Promise<void>((done) => r.onChange(done));

test('a first use starts the fetch and fails closed; the keys come with onChange and are then cached', async () => {
  server.jwks = jwksOf(k1);
  server.hits.clear();
  const r = new JwksResolver({ clock: new FakeClock() });
  const uri = `${server.base}/jwks.json`;
  const fetched = nextChange(r);
  assert.equal(r.resolveJwks(uri, 'weather'), undefined);
  await fetched;
  assert.equal(r.resolveJwks(uri, 'weather'), server.jwks);
  assert.equal(await r.fetchJwks(uri, 'weather'), server.jwks);
  assert.equal(server.hits.get('/jwks.json'), 1);
  assert.ok(await verifies(r.resolveJwks(uri, 'weather'), await token(k1)));
  r.close();
});

test('refresh picks up rotated keys (onChange), ignores a reordered document, and arms the next round', async () => {
  server.jwks = jwksOf(k1, k2);
  const clock = new FakeClock();
  const r = new JwksResolver({ clock, refreshIntervalMs: 30_000 });
  const uri = `${server.base}/jwks.json`;
  await r.fetchJwks(uri, 'weather');
  const seen = changes(r);
  server.jwks = JSON.stringify({ keys: [k2.jwk, k1.jwk] }, null, 2);
  assert.equal(await r.refresh(), false);
  assert.equal(seen.n, 0);
  assert.equal(clock.pending, 30_000);
  server.jwks = jwksOf(k2);
  assert.equal(await r.refresh(), true);
  assert.equal(seen.n, 1);
  const rotated = r.resolveJwks(uri, 'weather');
  assert.ok(await verifies(rotated, await token(k2)));
  assert.equal(await verifies(rotated, await token(k1)), false);
  // The timer runs the same round.
  server.jwks = jwksOf(k1);
  const changed = nextChange(r);
  clock.fire();
  await changed;
  assert.equal(r.resolveJwks(uri, 'weather'), server.jwks);
  r.close();
});

test('a failed refresh keeps the last good keys and backs off 1, 2, 4 … minutes; success resets', async () => {
  const down = new JwksServer();
  await down.start();
  down.jwks = jwksOf(k1);
  const clock = new FakeClock();
  const r = new JwksResolver({ clock });
  const uri = `${down.base}/jwks.json`;
  const good = await r.fetchJwks(uri, 'weather');
  assert.equal(clock.pending, 20 * 60_000);
  await down.stop();
  for (const minutes of [1, 2, 4]) {
    assert.equal(await r.refresh(), false);
    assert.equal(clock.pending, minutes * 60_000);
    assert.equal(r.resolveJwks(uri, 'weather'), good);
  }
  const port = down.port;
  await down.start(port);
  down.jwks = jwksOf(k1);
  await r.refresh();
  assert.equal(clock.pending, 20 * 60_000);
  await down.stop();
  r.close();
});

test('a first fetch that fails leaves tokens failing (public-only key) and is retried a minute later', async () => {
  const late = new JwksServer();
  await late.start();
  const port = late.port;
  await late.stop();
  const clock = new FakeClock();
  const r = new JwksResolver({ clock, timeoutMs: 1000 });
  const uri = `http://127.0.0.1:${port}/jwks.json`;
  assert.equal(await r.fetchJwks(uri, 'weather'), undefined);
  const filter = buildJwtAuthnFilter(
    [{ name: 'jwt', namespace: 'weather', spec: { jwtRules: [{ issuer: 'weather', jwksUri: uri }] } }],
    { resolveJwks: r.resolveJwks },
  );
  const inlined = (
    filter!.typed_config.providers as Record<string, { local_jwks: { inline_string: string } }>
  )['origins-0']!.local_jwks.inline_string;
  assert.equal(inlined, PUBLIC_ONLY_JWKS);
  assert.equal(await verifies(inlined, await token(k1)), false);
  assert.equal(clock.pending, 60_000);
  // The filter build's own attempt (a miss starts one) fails too.
  assert.equal(await r.fetchJwks(uri, 'weather'), undefined);
  await late.start(port);
  late.jwks = jwksOf(k1);
  const fetched = nextChange(r);
  clock.fire();
  await fetched;
  assert.ok(await verifies(r.resolveJwks(uri, 'weather'), await token(k1)));
  await late.stop();
  r.close();
});

test('only an issuer: the jwks_uri comes from its OpenID discovery document', async () => {
  server.jwks = jwksOf(k1);
  server.hits.clear();
  const r = new JwksResolver({ clock: new FakeClock() });
  assert.equal(await r.fetchJwks('', `${server.base}/issuer/`), server.jwks);
  assert.equal(server.hits.get('/issuer/.well-known/openid-configuration'), 1);
  assert.equal(server.hits.get('/keys'), 1);
  assert.equal(await r.fetchJwks('', `${server.base}/nowhere`), undefined);
  assert.equal(r.resolveJwks('', ''), undefined);
  r.close();
});

test('a document that is not a JWKS is a failure; unused entries are evicted', async () => {
  server.jwks = '{"not":"keys"}';
  const clock = new FakeClock();
  const r = new JwksResolver({ clock, evictionMs: 60_000 });
  const uri = `${server.base}/jwks.json`;
  assert.equal(await r.fetchJwks(uri, 'weather'), undefined);
  server.jwks = jwksOf(k1);
  assert.equal(await r.fetchJwks(uri, 'weather'), server.jwks);
  server.hits.clear();
  clock.t += 60_000;
  await r.refresh();
  assert.equal(server.hits.get('/jwks.json'), undefined, 'evicted, not refreshed');
  assert.equal(r.resolveJwks(uri, 'weather'), undefined, 'a miss again');
  r.close();
});
