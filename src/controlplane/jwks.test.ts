// RequestAuthentication jwksUri through the running control plane: the control plane fetches the
// JWKS from a server on loopback, inlines it into the selected workload's jwt_authn provider, and
// pushes rotated keys after a refresh.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AdsClient, type Response } from '../../test/xds/ads-client.js';
import { TypeUrl } from '../xds/type-urls.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const NODE = 'sidecar~10.244.0.5~web-1.default~default.svc.cluster.local';
const jwks = (kid: string): string => JSON.stringify({ keys: [{ kty: 'RSA', kid, e: 'AQAB', n: 'sXch' }] });

const config = (jwksUri: string): string => `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: web, namespace: default}
spec:
  hosts: [web.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 8080, name: http, protocol: HTTP}]
  endpoints: [{address: 10.244.0.5, labels: {app: web}}]
---
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: {name: web-jwt, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  jwtRules: [{issuer: https://issuer.example.com, jwksUri: '${jwksUri}'}]
`;

let root: string;
let served = jwks('key-1');
let fetches = 0;
let jwksServer: Server;
let cp: ControlPlane;
let client: AdsClient;

before(async () => {
  jwksServer = createServer((req, res) => {
    fetches++;
    if (req.url !== '/jwks') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(served);
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const { port } = jwksServer.address() as AddressInfo;
  root = await mkdtemp(join(tmpdir(), 'weft-cp-jwks-'));
  await mkdir(join(root, 'config'));
  await writeFile(join(root, 'config', 'web.yaml'), config(`http://127.0.0.1:${port}/jwks`));
  cp = await startControlPlane({
    configDir: join(root, 'config'),
    stateDir: join(root, 'state'),
    xds: '127.0.0.1:0',
    http: '127.0.0.1:0',
    settings: { debounce: { after: 10, max: 100 }, pushConcurrency: 4 },
    jwks: { refreshIntervalMs: 150 },
    log: () => undefined,
  });
  client = new AdsClient(cp.xdsAddress, NODE, 'sotw', { LABELS: { app: 'web' } });
});

after(async () => {
  client.close();
  await cp.close();
  await new Promise((r) => jwksServer.close(r));
  await rm(root, { recursive: true, force: true });
});

/** Every jwt_authn provider's inline JWKS in a decoded message, by provider name. */
function inlineJwks(message: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const providers = (v as { providers?: Record<string, { local_jwks?: { inline_string?: string } }> })
      .providers;
    for (const [name, p] of Object.entries(providers ?? {}))
      if (p.local_jwks?.inline_string) out[name] = p.local_jwks.inline_string;
    Object.values(v).forEach(walk);
  };
  walk(message);
  return out;
}

const kids = (doc: string | undefined): string[] =>
  doc ? (JSON.parse(doc) as { keys: { kid: string }[] }).keys.map((k) => k.kid) : [];

/** ACKs LDS responses until one inlines a JWKS with `kid`, and returns it. */
async function listenersWithKey(kid: string): Promise<Response> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await client.next(TypeUrl.Listener, Math.max(1, deadline - Date.now()));
    client.ack(r);
    if (kids(inlineJwks(r)['origins-0']).includes(kid)) return r;
  }
}

test('the selected workload gets the jwksUri keys inline, in the ADS stream and config_dump', async () => {
  client.request(TypeUrl.Listener);
  const r = await listenersWithKey('key-1');
  assert.ok(fetches >= 1);
  assert.deepEqual(kids(inlineJwks(r)['origins-0']), ['key-1']);
  const dump = (await (
    await fetch(`http://${cp.httpAddress}/debug/config_dump?proxyID=web-1.default`)
  ).json()) as unknown;
  assert.deepEqual(kids(inlineJwks(dump)['origins-0']), ['key-1']);
});

test('rotated keys reach the proxy after a refresh', async () => {
  served = jwks('key-2');
  const r = await listenersWithKey('key-2');
  assert.deepEqual(kids(inlineJwks(r)['origins-0']), ['key-2']);
});
