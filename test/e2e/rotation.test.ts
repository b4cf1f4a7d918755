// End to end, scenario 36 live: workload certificates live a few seconds — SECRET_TTL 4s for every
// pod from the mesh's defaultConfig.proxyMetadata (the istio ConfigMap), 6s for frontend from its
// own proxy.istio.io/config annotation — STRICT mTLS in the namespace, and frontend calls
// advertisement continuously for 15 s, on a keep-alive connection and with a new mTLS connection
// per request, while both sidecars' certificates rotate several times. Not one request may fail,
// and every certificate keeps the workload's SPIFFE identity.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { SAMPLE, TestMesh, meshSkipReason, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const scratch = mkdtempSync(join(tmpdir(), 'weft-e2e-rotation-'));
const MESH_TTL_S = 4;
const FRONTEND_TTL_S = 6;
const TRAFFIC_S = 15;
const ID = {
  'frontend-v1': 'spiffe://cluster.local/ns/weather/sa/weather-frontend',
  'advertisement-v1': 'spiffe://cluster.local/ns/weather/sa/weather-advertisement',
};
type Deploy = keyof typeof ID;
const TTL: Record<Deploy, number> = { 'frontend-v1': FRONTEND_TTL_S, 'advertisement-v1': MESH_TTL_S };

const MESH_CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |
    defaultConfig:
      proxyMetadata: { SECRET_TTL: ${MESH_TTL_S}s }
`;

/** The sample's weather-v1 with frontend's own SECRET_TTL in its pod annotation. */
function sample(): string {
  const docs = parseAllDocuments(readFileSync(join(SAMPLE, 'install/weather-v1.yaml'), 'utf8'));
  for (const d of docs)
    if (d.get('kind') === 'Deployment' && d.getIn(['metadata', 'name']) === 'frontend-v1')
      d.setIn(
        ['spec', 'template', 'metadata', 'annotations', 'proxy.istio.io/config'],
        `proxyMetadata:\n  SECRET_TTL: ${FRONTEND_TTL_S}s\n`,
      );
  return docs.map((d) => d.toString()).join('---\n');
}

// STRICT, so a request that did not go over mTLS fails; requests carrying `x-conn: new` go to a
// subset whose upstream connections carry one request each, so each opens a new mTLS connection.
const POLICY = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: default, namespace: weather }
spec:
  mtls: { mode: STRICT }
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: advertisement-dr, namespace: weather }
spec:
  host: advertisement
  subsets:
  - name: v1
    labels: { version: v1 }
  - name: v1-fresh
    labels: { version: v1 }
    trafficPolicy:
      connectionPool: { http: { maxRequestsPerConnection: 1 } }
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: advertisement-route, namespace: weather }
spec:
  hosts: [advertisement]
  http:
  - match: [{ headers: { x-conn: { exact: new } } }]
    route: [{ destination: { host: advertisement, subset: v1-fresh } }]
  - route: [{ destination: { host: advertisement, subset: v1 } }]
`;

before(async () => {
  if (skip) return;
  const files = { mesh: join(scratch, 'mesh.yaml'), sample: join(scratch, 'weather-v1.yaml') };
  writeFileSync(files.mesh, MESH_CONFIG);
  writeFileSync(files.sample, sample());
  await mesh.upSample([], ['-f', files.mesh, '-f', files.sample]);
  await mesh.apply(POLICY);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

interface Pod {
  name: string;
  owner: string;
  status: { terminating?: boolean };
}

async function podOf(deploy: Deploy): Promise<string> {
  const r = await weft(['status', '--state-dir', mesh.stateDir, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const pod = (JSON.parse(r.stdout) as { pods: Pod[] }).pods.find(
    (p) => p.owner === deploy && !p.status.terminating,
  );
  assert.ok(pod, `no running pod of ${deploy}`);
  return pod.name;
}

/** The `default` certificate the pod's proxy holds now (`weft proxy-config secret -o json`). */
async function servingCert(pod: string): Promise<X509Certificate> {
  const r = await weft([
    'proxy-config',
    'secret',
    pod,
    '-n',
    'weather',
    '--state-dir',
    mesh.stateDir,
    '-o',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const dump = JSON.parse(r.stdout) as {
    dynamic_active_secrets: {
      name: string;
      secret: { tls_certificate?: { certificate_chain: { inline_bytes: string } } };
    }[];
  };
  const chain = dump.dynamic_active_secrets.find((s) => s.name === 'default')?.secret.tls_certificate
    ?.certificate_chain.inline_bytes;
  assert.ok(chain, `${pod}: no default secret`);
  return new X509Certificate(Buffer.from(chain, 'base64'));
}

// Runs in the frontend pod: one loop on a keep-alive connection, one opening a connection per
// request (and a new mTLS connection per request through the v1-fresh subset).
const TRAFFIC = `import http from 'node:http';
const end = Date.now() + ${TRAFFIC_S * 1000};
const errors = [];
async function loop(agent, headers) {
  const n = { ok: 0, failed: 0 };
  while (Date.now() < end) {
    const status = await new Promise((resolve) => {
      http.get({ host: 'advertisement', port: 3003, path: '/ad', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', (e) => resolve(String(e)));
      }).on('error', (e) => resolve(String(e)));
    });
    if (status === 200) n.ok++;
    else { n.failed++; if (errors.length < 5) errors.push(status); }
  }
  return n;
}
const [keepAlive, fresh] = await Promise.all([
  loop(new http.Agent({ keepAlive: true, maxSockets: 1 }), {}),
  loop(false, { 'x-conn': 'new', connection: 'close' }),
]);
console.log(JSON.stringify({ keepAlive, fresh, errors }));`;

/** Seconds a certificate was issued for (the CA backdates notBefore a minute for clock skew, as Istio). */
function lifetimeS(c: X509Certificate): number {
  return Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 1000) - 60;
}

// Runs in a pod beside the traffic: the proxy's serving certificate (admin /certs on the pod's
// loopback) every 250 ms; prints each distinct serial with its URI SANs.
const WATCH_CERTS = `const end = Date.now() + ${TRAFFIC_S * 1000};
const seen = new Map();
while (Date.now() < end) {
  try {
    const { certificates } = await (await fetch('http://127.0.0.1:15000/certs')).json();
    for (const c of certificates)
      for (const leaf of c.cert_chain.slice(0, 1))
        seen.set(leaf.serial_number, leaf.subject_alt_names.map((n) => n.uri).filter(Boolean));
  } catch {}
  await new Promise((r) => setTimeout(r, 250));
}
console.log(JSON.stringify([...seen]));`;

/** Runs a node script (ESM) in a pod of `deploy`; resolves with its stdout. */
function inPod(deploy: Deploy, script: string): Promise<string> {
  return mesh.scriptIn('weather', deploy, script);
}

interface Traffic {
  keepAlive: { ok: number; failed: number };
  fresh: { ok: number; failed: number };
  errors: unknown[];
}

/** An Envoy counter of the pod proxy's admin /stats; 0 when absent. */
async function counter(deploy: Deploy, name: string): Promise<number> {
  const stats = await inPod(
    deploy,
    "console.log(await (await fetch('http://127.0.0.1:15000/stats')).text())",
  );
  const line = stats.split('\n').find((l) => l.startsWith(`${name}: `));
  return line ? Number(line.slice(name.length + 2)) : 0;
}

test(
  'scenario 36 live: certificates of SECRET_TTL rotate under mTLS traffic, keep their SPIFFE id, and no request fails',
  { skip, timeout: 180_000 },
  async (t) => {
    const pods = {
      'frontend-v1': await podOf('frontend-v1'),
      'advertisement-v1': await podOf('advertisement-v1'),
    };
    // The lifetime issued is the one asked for: the mesh default, or the pod's own.
    for (const deploy of Object.keys(pods) as Deploy[])
      assert.equal(lifetimeS(await servingCert(pods[deploy])), TTL[deploy], deploy);
    const freshCluster =
      'cluster.outbound|3003|v1-fresh|advertisement.weather.svc.cluster.local.upstream_cx_total';
    const connectionsBefore = await counter('frontend-v1', freshCluster);

    const [run, ...watched] = await Promise.all([
      inPod('frontend-v1', TRAFFIC),
      ...(Object.keys(pods) as Deploy[]).map((d) => inPod(d, WATCH_CERTS)),
    ]);
    const traffic = JSON.parse(run) as Traffic;
    const seen = Object.fromEntries(
      (Object.keys(pods) as Deploy[]).map((d, i) => [d, JSON.parse(watched[i]!) as [string, string[]][]]),
    ) as Record<Deploy, [serial: string, uris: string[]][]>;
    t.diagnostic(
      `certificates seen: frontend ${seen['frontend-v1'].length}, advertisement ${seen['advertisement-v1'].length}; ` +
        `requests: keep-alive ${JSON.stringify(traffic.keepAlive)}, new connection ${JSON.stringify(traffic.fresh)}`,
    );

    for (const deploy of Object.keys(pods) as Deploy[]) {
      const certs = seen[deploy];
      assert.ok(
        certs.length >= 3,
        `${deploy}: ${certs.length} certificates seen in ${TRAFFIC_S} s; want 2+ rotations`,
      );
      for (const [serial, uris] of certs) assert.deepEqual(uris, [ID[deploy]], `${deploy} serial ${serial}`);
    }
    assert.deepEqual(
      {
        keepAliveFailed: traffic.keepAlive.failed,
        freshFailed: traffic.fresh.failed,
        errors: traffic.errors,
      },
      { keepAliveFailed: 0, freshFailed: 0, errors: [] },
    );
    assert.ok(traffic.keepAlive.ok > 50 && traffic.fresh.ok > 20, JSON.stringify(traffic));
    // Each request of the fresh loop opened its own mTLS connection (a full handshake after each
    // rotation, resumed sessions between them), so new connections spanned every rotation.
    const connections = (await counter('frontend-v1', freshCluster)) - connectionsBefore;
    assert.ok(
      connections >= traffic.fresh.ok,
      `${connections} new upstream connections for ${traffic.fresh.ok} requests`,
    );
  },
);
