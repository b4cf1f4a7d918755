// The control-plane process end to end on loopback: directory config reaches a connected proxy,
// /metrics and /debug/* report it, and `weft proxy-status` renders it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AdsClient, names } from '../../test/xds/ads-client.js';
import { TypeUrl } from '../xds/type-urls.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const NODE = 'sidecar~10.244.0.5~web-1.default~default.svc.cluster.local';
const serviceEntry = (ports: number[]): string => `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.example.com]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [${ports.map((p) => `{number: ${p}, name: tcp-${p}, protocol: TCP}`).join(', ')}]
  endpoints: [{address: 10.1.1.1}]
`;

let root: string;
let cp: ControlPlane;
let client: AdsClient;
const get = async (path: string): Promise<{ status: number; text: string }> => {
  const r = await fetch(`http://${cp.httpAddress}${path}`);
  return { status: r.status, text: await r.text() };
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'weft-cp-'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(root, 'config'));
  await writeFile(join(root, 'config', 'db.yaml'), serviceEntry([5432]));
  cp = await startControlPlane({
    configDir: join(root, 'config'),
    stateDir: join(root, 'state'),
    xds: '127.0.0.1:0',
    http: '127.0.0.1:0',
    settings: { debounce: { after: 10, max: 200 }, pushConcurrency: 4 },
    log: () => undefined,
  });
  client = new AdsClient(cp.xdsAddress, NODE, 'sotw', { ISTIO_VERSION: '1.1.0' });
});

after(async () => {
  client.close();
  await cp.close();
  await rm(root, { recursive: true, force: true });
});

test('control-plane.json tells the CLI where the servers are', async () => {
  const info = JSON.parse(await readFile(join(root, 'state', 'control-plane.json'), 'utf8'));
  assert.deepEqual(info, { pid: process.pid, http: cp.httpAddress, xds: cp.xdsAddress });
});

test('config from the directory reaches a proxy, and edits are pushed', async () => {
  client.request(TypeUrl.Cluster);
  const first = await client.next(TypeUrl.Cluster);
  assert.ok(names(first).includes('outbound|5432||db.example.com'), names(first).join(','));
  client.ack(first);
  await writeFile(join(root, 'config', 'db.yaml'), serviceEntry([5432, 5433]));
  const second = await client.next(TypeUrl.Cluster, 5000);
  assert.ok(names(second).includes('outbound|5433||db.example.com'));
  client.ack(second);
});

test('/metrics has the pilot xDS metrics', async () => {
  const { status, text } = await get('/metrics');
  assert.equal(status, 200);
  assert.match(text, /^pilot_xds 1$/m);
  assert.match(text, /^pilot_xds_pushes\{type="cds"\} [1-9]/m);
  for (const m of [
    'pilot_proxy_convergence_time',
    'pilot_total_xds_rejects',
    'pilot_debounce_time',
    'pilot_xds_push_time',
  ])
    assert.match(text, new RegExp(`^# TYPE ${m} `, 'm'));
});

test('/debug/syncz, /debug/adsz and /debug/config_dump describe the proxy', async () => {
  const sync = JSON.parse((await get('/debug/syncz')).text) as {
    name: string;
    types: Record<string, { status: string }>;
  }[];
  assert.equal(sync[0]?.name, 'web-1.default');
  assert.equal(sync[0]?.types.CDS?.status, 'SYNCED');
  assert.equal(sync[0]?.types.LDS?.status, 'NOT SENT');
  const ads = JSON.parse((await get('/debug/adsz')).text) as { total: number };
  assert.equal(ads.total, 1);
  const dump = JSON.parse((await get('/debug/config_dump?proxyID=web-1.default')).text) as {
    configs: {
      '@type': string;
      dynamic_active_clusters?: { cluster: { '@type': string; name: string } }[];
    }[];
  };
  assert.equal(dump.configs[0]?.['@type'], 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump');
  const cluster = dump.configs[0]?.dynamic_active_clusters?.find(
    (c) => c.cluster.name === 'outbound|5433||db.example.com',
  );
  assert.equal(cluster?.cluster['@type'], TypeUrl.Cluster);
  assert.equal((await get('/debug/config_dump?proxyID=nobody.default')).status, 404);
  assert.equal((await get('/debug/config_dump')).status, 400);
});

test('/debug/configz and /debug/registryz show the store and the services', async () => {
  assert.match((await get('/debug/configz')).text, /"kind": "ServiceEntry"/);
  assert.match((await get('/debug/registryz')).text, /"hostname": "db.example.com"/);
  assert.equal((await get('/apis')).status, 200, 'config API is mounted');
  assert.equal((await get('/nope')).status, 404);
});

test('a malformed gateway credential Secret shows in /debug/push_status and is counted once', async () => {
  const file = join(root, 'config', 'bad-cert.yaml');
  await writeFile(
    file,
    `apiVersion: v1
kind: Secret
metadata: {name: bad-cert, namespace: istio-system}
type: kubernetes.io/tls
stringData: {tls.crt: not a certificate, tls.key: not a key}
`,
  );
  type Status = {
    version: string;
    credentialDiagnostics: { resource: string; message: string; file?: string }[];
  };
  const status = async (): Promise<Status> => JSON.parse((await get('/debug/push_status')).text) as Status;
  let s = await status();
  for (let i = 0; i < 200 && s.credentialDiagnostics.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    s = await status();
  }
  assert.equal(s.version, cp.ds.version);
  assert.equal(s.credentialDiagnostics.length, 1);
  const [d] = s.credentialDiagnostics;
  assert.equal(d?.resource, 'Secret istio-system/bad-cert');
  assert.match(d?.message ?? '', /tls\.crt: no PEM certificate; not served/);
  assert.equal(d?.file, file);
  const counted = /^pilot_sds_certificate_errors_total 1$/m;
  assert.match((await get('/metrics')).text, counted);
  // Later push contexts still report it, but it is one malformed version: the count stays.
  cp.ds.push({ full: true, configsUpdated: new Set(), edsUpdates: new Set(), reasons: ['test'], start: 0 });
  assert.equal((await status()).credentialDiagnostics.length, 1);
  assert.match((await get('/metrics')).text, counted);
  await rm(file);
  for (let i = 0; i < 200 && s.credentialDiagnostics.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    s = await status();
  }
  assert.deepEqual(s.credentialDiagnostics, []);
});

/** Runs the CLI asynchronously: the control plane it talks to lives in this process. */
const weft = (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], (err, stdout, stderr) =>
      resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    ),
  );

test('weft proxy-status prints the sync table and JSON', async () => {
  const table = await weft('proxy-status', '--server', cp.httpAddress);
  assert.equal(table.status, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^NAME\s+CDS\s+LDS\s+EDS\s+RDS\s+VERSION$/);
  assert.match(lines[1] ?? '', /^web-1\.default\s+SYNCED\s+NOT SENT\s+NOT SENT\s+NOT SENT\s+1\.1\.0$/);
  const json = await weft('proxy-status', '--server', cp.httpAddress, '-o', 'json');
  assert.equal(JSON.parse(json.stdout)[0].proxy, NODE);
});

test('a NACK shows as STALE with its error and is counted', async () => {
  client.request(TypeUrl.Listener);
  const r = await client.next(TypeUrl.Listener);
  client.nack(r, 'listener virtualOutbound: bad filter');
  let sync: { types: Record<string, { status: string; nack?: string }> }[] = [];
  for (let i = 0; i < 100; i++) {
    sync = JSON.parse((await get('/debug/syncz')).text);
    if (sync[0]?.types.LDS?.nack) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.equal(sync[0]?.types.LDS?.status, 'STALE');
  assert.equal(sync[0]?.types.LDS?.nack, 'listener virtualOutbound: bad filter');
  assert.match((await get('/metrics')).text, /^pilot_total_xds_rejects\{type="lds"\} 1$/m);
});

test('weft proxy-status without a control plane fails with a message', async () => {
  const r = await weft('proxy-status', '--state-dir', join(root, 'empty'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no control plane is running/);
});

test('an invalid --mesh file stops start-up with file, line and field', async () => {
  const file = join(root, 'mesh.yaml');
  await writeFile(file, 'accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: SOMETIMES\n');
  await assert.rejects(
    startControlPlane({
      stateDir: join(root, 'state2'),
      meshFile: file,
      xds: '127.0.0.1:0',
      http: '127.0.0.1:0',
    }),
    (e: Error) => e.message.includes('mesh.yaml:3') && e.message.includes('outboundTrafficPolicy.mode'),
  );
});
