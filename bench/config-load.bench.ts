// Config load: 10,000 mixed resources (VirtualService, DestinationRule, ServiceEntry, Gateway,
// Service, Deployment) in 20 files → read + parse + validate + insert into the store. Baseline in
// the same run: the `yaml` package parsing the same files, no validation. Goal: under 2 s.
// Run: node --import tsx bench/config-load.bench.ts
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadPaths } from '../src/config/loader.js';
import { ConfigStore } from '../src/config/store.js';

const TOTAL = 10_000;
const FILES = 20;
const RUNS = 3;

function resource(i: number): string {
  const ns = `ns${i % 50}`;
  const svc = `svc${i}`;
  switch (i % 6) {
    case 0:
      return `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: ${svc}-route, namespace: ${ns}}
spec:
  hosts: [${svc}]
  http:
  - match: [{headers: {user-agent: {regex: ".*Chrome.*"}}}]
    route: [{destination: {host: ${svc}, subset: v2}}]
  - route:
    - {destination: {host: ${svc}, subset: v1}, weight: 90}
    - {destination: {host: ${svc}, subset: v2}, weight: 10}
    timeout: 1s
    retries: {attempts: 3, perTryTimeout: 1s, retryOn: 5xx}
`;
    case 1:
      return `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: ${svc}-dr, namespace: ${ns}}
spec:
  host: ${svc}
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    connectionPool: {tcp: {maxConnections: 100}, http: {http1MaxPendingRequests: 10}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;
    case 2:
      return `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: ext${i}, namespace: ${ns}}
spec:
  hosts: [api${i}.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  location: MESH_EXTERNAL
  resolution: DNS
`;
    case 3:
      return `apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw${i}, namespace: ${ns}}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["${svc}.example.com"]}]
`;
    case 4:
      return `apiVersion: v1
kind: Service
metadata: {name: ${svc}, namespace: ${ns}, labels: {app: ${svc}}}
spec:
  selector: {app: ${svc}}
  ports: [{name: http, port: 8080, targetPort: 8080}]
`;
    default:
      return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${svc}-v1, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${svc}, version: v1}}
  template:
    metadata: {labels: {app: ${svc}, version: v1}}
    spec:
      serviceAccountName: ${svc}
      containers:
      - name: app
        image: example/${svc}:v1
        ports: [{containerPort: 8080}]
        env: [{name: VERSION, value: v1}]
`;
  }
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const dir = await mkdtemp(join(tmpdir(), 'weft-bench-config-'));
try {
  const per = TOTAL / FILES;
  for (let f = 0; f < FILES; f++) {
    const docs = Array.from({ length: per }, (_, j) => resource(f * per + j));
    await writeFile(join(dir, `config-${String(f).padStart(2, '0')}.yaml`), docs.join('---\n'));
  }

  let stored = 0;
  let loadMs = 0;
  const weft = await timeIt(async () => {
    const t0 = performance.now();
    const loaded = await loadPaths([dir]);
    loadMs = performance.now() - t0;
    const store = new ConfigStore();
    const r = store.apply(loaded.resources, { owner: 'bench' });
    if (!r.ok) throw new Error(`invalid bench input: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
    stored = store.list().length;
    store.close();
  });
  const rssMB = Math.round(process.memoryUsage().rss / 1048576);

  const baseline = await timeIt(async () => {
    let n = 0;
    for (const f of (await readdir(dir)).sort())
      for (const d of parseAllDocuments(await readFile(join(dir, f), 'utf8')) as ReturnType<
        typeof parseAllDocuments
      > &
        unknown[])
        if (d.toJS()) n++;
    if (n !== TOTAL) throw new Error(`baseline parsed ${n}`);
  });

  console.log(
    JSON.stringify({
      bench: 'config-load',
      resources: stored,
      ms: Math.round(weft),
      phases: { readAndParseMs: Math.round(loadMs), validateAndStoreMs: Math.round(weft - loadMs) },
      perResourceUs: Math.round((weft * 1000) / stored),
      rssMB,
      baseline: { name: 'yaml parseAllDocuments+toJS, no validation', ms: Math.round(baseline) },
      ratio: Number((weft / baseline).toFixed(2)),
      goalMs: 2000,
      pass: weft < 2000,
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
