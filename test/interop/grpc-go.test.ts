// The grpc-go xDS client (test/interop/goclient, installed by .ci/run with `go install`) against
// the Weft control plane: weighted split and header match. Skipped, saying why, without the binary.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SERVICE, TARGET, bootstrap, eventually, startMesh, type Mesh } from './harness.js';

function findClient(): string | undefined {
  if (process.env.WEFT_GO_XDS_CLIENT) return process.env.WEFT_GO_XDS_CLIENT;
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    const p = join(gopath, 'bin', 'weft-xds-client');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

const binary = findClient();
const skip = binary
  ? false
  : 'weft-xds-client not installed: run `cd test/interop/goclient && go install .` (or set WEFT_GO_XDS_CLIENT)';

let mesh: Mesh;
before(async () => {
  if (!binary) return;
  mesh = await startMesh({ 'v1-a': { version: 'v1' }, 'v1-b': { version: 'v1' }, 'v2-a': { version: 'v2' } });
});
after(async () => {
  await mesh?.close();
});

/** Runs the Go client: `n` RPCs, returns counts by version (v1, v2) or status. */
function goCalls(n: number, headers: string[] = []): Promise<Map<string, number>> {
  const args = ['-target', TARGET, '-n', String(n), ...headers.flatMap((h) => ['-header', h])];
  const env = { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: bootstrap(mesh.cp.xdsAddress, 'go-client') };
  return new Promise((resolve, reject) =>
    execFile(binary as string, args, { env }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`weft-xds-client failed: ${stderr || err.message}`));
      const out = new Map<string, number>();
      for (const [k, v] of Object.entries(JSON.parse(stdout) as Record<string, number>)) {
        const key = k.startsWith('status:') ? k : (k.split('-')[0] ?? k);
        out.set(key, (out.get(key) ?? 0) + v);
      }
      resolve(out);
    }),
  );
}

const config = (http: string): string => `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: echo, namespace: default}
spec:
  host: ${SERVICE}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: echo, namespace: default}
spec:
  hosts: [${SERVICE}]
  http:
${http}`;

test('grpc-go: weighted subsets 80/20 over 1000 RPCs are within ±5%', { skip }, async () => {
  await mesh.write(
    'routing.yaml',
    config(`  - route:
    - {destination: {host: ${SERVICE}, subset: v1}, weight: 80}
    - {destination: {host: ${SERVICE}, subset: v2}, weight: 20}
`),
  );
  // Each run is a fresh client, so the first full answer already reflects the new config.
  await eventually(async () => {
    const c = await goCalls(50);
    return (c.get('v1') ?? 0) + (c.get('v2') ?? 0) === 50 && (c.get('v2') ?? 0) > 0;
  }, 20_000);
  const c = await goCalls(1000);
  assert.equal((c.get('v1') ?? 0) + (c.get('v2') ?? 0), 1000, JSON.stringify([...c]));
  const v1 = (c.get('v1') ?? 0) / 1000;
  assert.ok(Math.abs(v1 - 0.8) <= 0.05, `v1 share ${v1}`);
});

test('grpc-go: a header match routes to the chosen subset', { skip }, async () => {
  await mesh.write(
    'routing.yaml',
    config(`  - match: [{headers: {x-user: {exact: tester}}}]
    route: [{destination: {host: ${SERVICE}, subset: v2}}]
  - route: [{destination: {host: ${SERVICE}, subset: v1}}]
`),
  );
  await eventually(async () => (await goCalls(10, ['x-user=tester'])).get('v2') === 10, 20_000);
  assert.equal((await goCalls(50, ['x-user=tester'])).get('v2'), 50);
  assert.equal((await goCalls(50, ['x-user=someone'])).get('v1'), 50);
});
