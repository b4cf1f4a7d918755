// End to end, scenario 36 live: frontend and advertisement get a few-second certificate lifetime
// (proxyMetadata SECRET_TTL in the proxy.istio.io/config annotation), STRICT mTLS in the
// namespace, and frontend calls advertisement continuously for 15 s — on a keep-alive connection
// and with a new mTLS connection per request — while both sidecars' certificates rotate several
// times. Not one request may fail, and every certificate keeps the workload's SPIFFE identity.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { SAMPLE, TestMesh, meshSkipReason, sleep, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const TTL_S = 4;
const TRAFFIC_S = 15;
const ID = {
  'frontend-v1': 'spiffe://cluster.local/ns/weather/sa/weather-frontend',
  'advertisement-v1': 'spiffe://cluster.local/ns/weather/sa/weather-advertisement',
};
type Deploy = keyof typeof ID;

/** The sample's frontend and advertisement Deployments with SECRET_TTL in their pod annotation. */
function shortLivedDeployments(): string {
  const docs = parseAllDocuments(readFileSync(join(SAMPLE, 'install/weather-v1.yaml'), 'utf8'));
  return docs
    .filter((d) => d.get('kind') === 'Deployment' && (d.getIn(['metadata', 'name']) as string) in ID)
    .map((d) => {
      d.setIn(
        ['spec', 'template', 'metadata', 'annotations', 'proxy.istio.io/config'],
        `proxyMetadata:\n  SECRET_TTL: ${TTL_S}s\n`,
      );
      return d.toString();
    })
    .join('---\n');
}

// STRICT, so a request that did not go over mTLS fails; requests carrying `x-conn: new` go to a
// subset whose upstream connections carry one request each, so each one is a new handshake.
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
  await mesh.upSample(['install/weather-v1.yaml']);
  await mesh.apply(`${shortLivedDeployments()}---\n${POLICY}`);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
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

interface Traffic {
  keepAlive: { ok: number; failed: number };
  fresh: { ok: number; failed: number };
  errors: unknown[];
}

/** An Envoy counter of the pod proxy's admin /stats; 0 when absent. */
async function counter(deploy: Deploy, name: string): Promise<number> {
  const r = await weft([
    'exec',
    `deploy/${deploy}`,
    '-n',
    'weather',
    '--state-dir',
    mesh.stateDir,
    '--',
    'curl',
    '-s',
    'localhost:15000/stats',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${name}: `));
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
    // The lifetime asked for is the one issued (the CA backdates notBefore by a minute for skew).
    for (const [deploy, pod] of Object.entries(pods)) {
      const left = new Date((await servingCert(pod)).validTo).getTime() - Date.now();
      assert.ok(
        left <= TTL_S * 1000,
        `${deploy}: certificate valid for ${left} ms more; SECRET_TTL is ${TTL_S}s`,
      );
    }
    const freshCluster =
      'cluster.outbound|3003|v1-fresh|advertisement.weather.svc.cluster.local.upstream_cx_total';
    const connectionsBefore = await counter('frontend-v1', freshCluster);

    const running = weft([
      'exec',
      'deploy/frontend-v1',
      '-n',
      'weather',
      '--state-dir',
      mesh.stateDir,
      '--',
      process.execPath,
      '--input-type=module',
      '-e',
      TRAFFIC,
    ]);
    const seen: Record<Deploy, Map<string, X509Certificate>> = {
      'frontend-v1': new Map(),
      'advertisement-v1': new Map(),
    };
    const stop = Date.now() + TRAFFIC_S * 1000;
    while (Date.now() < stop) {
      for (const deploy of Object.keys(pods) as Deploy[]) {
        const cert = await servingCert(pods[deploy]);
        seen[deploy].set(cert.serialNumber, cert);
      }
      await sleep(500);
    }
    const run = await running;
    assert.equal(run.code, 0, run.stderr);
    const traffic = JSON.parse(run.stdout) as Traffic;
    t.diagnostic(
      `certificates seen: frontend ${seen['frontend-v1'].size}, advertisement ${seen['advertisement-v1'].size}; ` +
        `requests: keep-alive ${JSON.stringify(traffic.keepAlive)}, new connection ${JSON.stringify(traffic.fresh)}`,
    );

    for (const deploy of Object.keys(pods) as Deploy[]) {
      const certs = [...seen[deploy].values()];
      assert.ok(
        certs.length >= 3,
        `${deploy}: ${certs.length} certificates seen in ${TRAFFIC_S} s; want 2+ rotations`,
      );
      for (const c of certs)
        assert.equal(c.subjectAltName, `URI:${ID[deploy]}`, `${deploy} serial ${c.serialNumber}`);
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
    // Each request of the fresh loop was its own mTLS handshake, so handshakes spanned the rotations.
    const connections = (await counter('frontend-v1', freshCluster)) - connectionsBefore;
    assert.ok(
      connections >= traffic.fresh.ok,
      `${connections} new upstream connections for ${traffic.fresh.ok} requests`,
    );
  },
);
