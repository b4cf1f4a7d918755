// Mesh config at runtime through the istio ConfigMap, with the real CLI and a real xDS client:
// `weft apply` of the ConfigMap pushes its mesh config (over the --mesh file) to a connected
// proxy; a bad one is refused naming file, line and field and the last good one keeps serving;
// deleting the ConfigMap goes back to the file's config.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { weft } from '../../test/cli/run.js';
import { AdsClient, resourcesOf, type Response } from '../../test/xds/ads-client.js';
import { TypeUrl } from '../xds/type-urls.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const NODE = 'sidecar~10.244.0.5~web-1.default~default.svc.cluster.local';
const configMap = (mesh: string): string => `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
${mesh.replace(/^/gm, '    ')}
`;

let root: string;
let cp: ControlPlane;
let client: AdsClient;

/** Where virtualOutbound sends unknown destinations: the mesh's outboundTrafficPolicy. */
function outboundFallback(r: Response): string {
  const l = resourcesOf(r).find((x) => x.name === 'virtualOutbound');
  return /BlackHoleCluster/.test(JSON.stringify(l?.body)) ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
}

async function nextListeners(): Promise<Response> {
  const r = await client.next(TypeUrl.Listener, 5000);
  client.ack(r);
  return r;
}

const cli = (verb: string, file: string) => weft([verb, '-f', file, '--server', cp.httpAddress]);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'weft-mesh-'));
  await writeFile(join(root, 'mesh.yaml'), 'outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n');
  cp = await startControlPlane({
    stateDir: join(root, 'state'),
    meshFile: join(root, 'mesh.yaml'),
    xds: '127.0.0.1:0',
    http: '127.0.0.1:0',
    settings: { debounce: { after: 10, max: 200 }, pushConcurrency: 4 },
    log: () => undefined,
  });
  client = new AdsClient(cp.xdsAddress, NODE, 'sotw', { ISTIO_VERSION: '1.1.0' });
  client.request(TypeUrl.Listener);
});

after(async () => {
  client.close();
  await cp.close();
  await rm(root, { recursive: true, force: true });
});

test('the --mesh file is in force before any ConfigMap', async () => {
  assert.equal(outboundFallback(await nextListeners()), 'REGISTRY_ONLY');
});

test('applying the istio ConfigMap pushes its mesh config to connected proxies', async () => {
  const file = join(root, 'good.yaml');
  await writeFile(file, configMap('outboundTrafficPolicy:\n  mode: ALLOW_ANY\n'));
  const r = await cli('apply', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /configmap\/istio (created|configured)/i);
  assert.equal(outboundFallback(await nextListeners()), 'ALLOW_ANY');
});

test('a bad mesh config is refused with file, line and field; the last good one keeps serving', async () => {
  const file = join(root, 'bad.yaml');
  await writeFile(
    file,
    configMap('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\ndefaultConfig:\n  concurency: 2\n'),
  );
  const r = await cli('apply', file);
  assert.equal(r.code, 1);
  // Line 9 of the file: the fourth line of the `mesh` block.
  assert.match(r.stderr, new RegExp(`${file}:9: .*data\\.mesh\\.defaultConfig\\.concurency: unknown field`));
  // Something else changes: the push that follows still carries the good ConfigMap's policy.
  const se = join(root, 'se.yaml');
  await writeFile(
    se,
    `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec: {hosts: [db.example.com], resolution: DNS, ports: [{number: 5432, name: tcp, protocol: TCP}]}
`,
  );
  assert.equal((await cli('apply', se)).code, 0);
  assert.equal(outboundFallback(await nextListeners()), 'ALLOW_ANY');
});

test('deleting the ConfigMap goes back to the --mesh file', async () => {
  const r = await cli('delete', join(root, 'good.yaml'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(outboundFallback(await nextListeners()), 'REGISTRY_ONLY');
});
