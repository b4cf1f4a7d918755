// End to end on `weft up --detach` with the weather sample (scenarios.md): traffic management
// (canary by User-Agent at the gateway, circuit breaking, outlier detection, load balancing,
// TCP routing). The mesh comes up once for the file; each test is one scenario against it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE, TestMesh, meshSkipReason, virtualService } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const podNames = async (deploy: string): Promise<string[]> => (await mesh.pods(deploy)).map((p) => p.name);
const page = (path = '/'): string => `http://127.0.0.1:${mesh.ingressPort}${path}`;

before(async () => {
  if (skip) return;
  await mesh.upSample(['install/weather-v1.yaml', 'install/weather-v2.yaml']);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

/** A DestinationRule `<host>-dr` with subsets v1/v2 and the given trafficPolicy (flow YAML). */
const rule = (host: string, trafficPolicy: string): string => `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: ${host}-dr, namespace: weather }
spec:
  host: ${host}
  trafficPolicy: ${trafficPolicy}
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }`;

/** A sample Deployment from install/<file> with `replicas: n`. */
function deployment(file: string, name: string, n: number): string {
  const d = readFileSync(join(SAMPLE, 'install', file), 'utf8')
    .split(/^---$/m)
    .find((doc) => /kind: Deployment/.test(doc) && new RegExp(`name: ${name}\\n`).test(doc))!;
  return d.replace(/replicas: \d+/, `replicas: ${n}`);
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Runs a command inside a pod of `deploy` (through its sidecar); its stdout. */
function inPod(deploy: string, argv: string[]): Promise<string> {
  return mesh.run('weather', deploy, argv);
}

interface Reply {
  status: number;
  overloaded: string | null;
  body: string;
}

/** `n` GETs of `url` from inside a pod, `c` at a time, each on its own connection. */
async function burst(
  deploy: string,
  url: string,
  n: number,
  c: number,
  headers: Record<string, string> = {},
): Promise<Reply[]> {
  const script = `import http from 'node:http';
const out = [];
let next = 0;
const one = () => new Promise((resolve) => {
  const req = http.get(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)}, agent: false }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => { out.push({ status: res.statusCode, overloaded: res.headers['x-envoy-overloaded'] ?? null, body: body.slice(0, 2000) }); resolve(); });
  });
  req.on('error', (e) => { out.push({ status: 0, overloaded: null, body: String(e) }); resolve(); });
});
async function worker() { while (next < ${n}) { next++; await one(); } }
await Promise.all(Array.from({ length: ${c} }, worker));
console.log(JSON.stringify(out));`;
  return JSON.parse(await inPod(deploy, [process.execPath, '--input-type=module', '-e', script])) as Reply[];
}

/** A counter or gauge of the pod proxy's admin `/stats` (Envoy's text format); 0 when absent. */
async function stat(deploy: string, name: string): Promise<number> {
  const out = await inPod(deploy, ['curl', '-s', 'localhost:15000/stats']);
  const line = out.split('\n').find((l) => l.startsWith(`${name}: `));
  return line ? Number(line.slice(name.length + 2)) : 0;
}

const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36';
const WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

/** The web page through the ingress, `n` times, 8 at a time. */
async function pages(n: number, headers: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const r = await fetch(page('/'), { headers });
      const html = await r.text();
      assert.equal(r.status, 200, html);
      out.push(html);
    }
  };
  await Promise.all(times(8, worker));
  return out;
}
const blue = (html: string): boolean => /data-version="v2"/.test(html) && /class="btn-blue"/.test(html);
const green = (html: string): boolean => /data-version="v1"/.test(html) && /class="btn-green"/.test(html);

// 400 Android pages: 50% ± 10% blue (4σ).
test(
  'scenario 06: frontend-route at the gateway: Android gets v1 50 / v2 50 (about half blue), Windows always green',
  { skip },
  async () => {
    await mesh.apply(`apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - match: [{ headers: { user-agent: { regex: '.*((Android)).*' } } }]
    route:
    - { destination: { host: frontend, subset: v1 }, weight: 50 }
    - { destination: { host: frontend, subset: v2 }, weight: 50 }
  - route: [{ destination: { host: frontend, subset: v1 } }]`);
    const android = await pages(400, { 'user-agent': ANDROID });
    const blues = android.filter(blue).length;
    assert.equal(blues + android.filter(green).length, 400);
    assert.ok(blues >= 160 && blues <= 240, `blue pages for Android: ${blues}/400`);
    const windows = await pages(30, { 'user-agent': WINDOWS });
    assert.equal(windows.filter(green).length, 30);
  },
);

const CB_CLUSTER = 'cluster.outbound|3002||forecast.weather.svc.cluster.local';

test(
  'scenario 20: circuit breaker on forecast: -c 10 -n 100 gets some 503 UO (x-envoy-overloaded), pending overflow counted; -c 1 none',
  { skip },
  async () => {
    await mesh.apply(`${rule(
      'forecast',
      '{ connectionPool: { tcp: { maxConnections: 3 }, http: { http1MaxPendingRequests: 5, maxRequestsPerConnection: 1 } } }',
    )}
---
${virtualService('forecast', `  - route: [{ destination: { host: forecast } }]`)}`);
    const url = 'http://forecast:3002/weather?locate=Rome';
    const load = async (c: number, n: number): Promise<Record<string, number>> => {
      const out = await inPod('frontend-v1', [
        process.execPath,
        '--import',
        'tsx',
        join(SAMPLE, 'services/loadclient.ts'),
        '-c',
        String(c),
        '-n',
        String(n),
        '-H',
        `user-agent: scenario-20-c${c}`,
        url,
      ]);
      return (JSON.parse(out) as { codes: Record<string, number> }).codes;
    };
    const before = await stat('frontend-v1', `${CB_CLUSTER}.upstream_rq_pending_overflow`);
    const codes = await load(10, 100);
    assert.ok((codes['503'] ?? 0) > 0, JSON.stringify(codes));
    assert.equal((codes['200'] ?? 0) + (codes['503'] ?? 0), 100, JSON.stringify(codes));
    const overflow = await stat('frontend-v1', `${CB_CLUSTER}.upstream_rq_pending_overflow`);
    assert.ok(overflow > before, `upstream_rq_pending_overflow ${before} → ${overflow}`);
    const [frontend] = await podNames('frontend-v1');
    const log = await mesh.accessLog({ name: frontend!, namespace: 'weather' }, 'scenario-20-c10');
    assert.equal(log.length, 100);
    assert.equal(log.filter((l) => /" 503 UO /.test(l)).length, codes['503']);
    // The overflowed responses carry x-envoy-overloaded (a few bursts of 10 at once until one overflows).
    let overloaded: Reply | undefined;
    for (let i = 0; i < 5 && !overloaded; i++)
      overloaded = (await burst('frontend-v1', url, 10, 10)).find((r) => r.status === 503);
    assert.ok(overloaded, 'no 503 in five bursts of 10 concurrent requests');
    assert.equal(overloaded.overloaded, 'true', overloaded.body);
    assert.deepEqual(await load(1, 50), { '200': 50 });
  },
);

const FORECAST_V2 = 'cluster.outbound|3002|v2|forecast.weather.svc.cluster.local';

// forecast-v2 answers with recommendation's status when that call fails, so a fault abort on
// recommendation-route (seen by forecast-v2's sidecar) makes every forecast-v2 replica answer it.
test(
  'scenario 21: five forecast replicas answering 504, outlierDetection consecutiveErrors 2, maxEjectionPercent 40: 2 ejected; 500s eject none',
  { skip },
  async () => {
    const abort = (status: number): string =>
      virtualService(
        'recommendation',
        `  - fault: { abort: { httpStatus: ${status}, percentage: { value: 100 } } }
    route: [{ destination: { host: recommendation, subset: v1 } }]`,
      );
    await mesh.apply(`${deployment('weather-v2.yaml', 'forecast-v2', 5)}
---
${rule('forecast', '{ outlierDetection: { consecutiveErrors: 2, interval: 10s, baseEjectionTime: 2m, maxEjectionPercent: 40 } }')}
---
${virtualService('forecast', `  - route: [{ destination: { host: forecast, subset: v2 } }]`)}
---
${abort(500)}`);
    assert.equal((await podNames('forecast-v2')).length, 5);
    const url = 'http://forecast:3002/weather?locate=Rome';
    const ejected = `${FORECAST_V2}.outlier_detection.ejections_active`;
    const fiveHundreds = await burst('frontend-v1', url, 20, 1);
    assert.deepEqual(
      fiveHundreds.map((r) => r.status),
      times(20, () => 500),
    );
    assert.equal(await stat('frontend-v1', ejected), 0);
    await mesh.apply(abort(504));
    const gatewayErrors = await burst('frontend-v1', url, 20, 1);
    assert.deepEqual(
      gatewayErrors.map((r) => r.status),
      times(20, () => 504),
    );
    assert.equal(await stat('frontend-v1', ejected), 2);
  },
);

/** advertisement-v1 scaled to two replicas, with advertisement-dr's trafficPolicy. */
async function twoAds(trafficPolicy: string): Promise<string[]> {
  await mesh.apply(`${deployment('weather-v1.yaml', 'advertisement-v1', 2)}
---
${rule('advertisement', trafficPolicy)}
---
${virtualService('advertisement', `  - route: [{ destination: { host: advertisement, subset: v1 } }]`)}`);
  const replicas = await podNames('advertisement-v1');
  assert.equal(replicas.length, 2);
  return replicas;
}

test(
  'scenario 11: advertisement-dr RANDOM: 600 requests reach both replicas, neither below 35%',
  { skip },
  async () => {
    const replicas = await twoAds('{ loadBalancer: { simple: RANDOM } }');
    const replies = await burst('frontend-v1', 'http://advertisement:3003/ad', 600, 10, {
      'user-agent': 'scenario-11',
    });
    assert.equal(replies.filter((r) => r.status === 200).length, 600);
    const counts = await Promise.all(
      replicas.map(
        async (p) => (await mesh.accessLog({ name: p, namespace: 'weather' }, 'scenario-11')).length,
      ),
    );
    assert.equal(counts[0]! + counts[1]!, 600);
    assert.ok(Math.min(...counts) >= 210, `per replica: ${counts.join(', ')}`);
  },
);

test(
  'scenario 12: advertisement-dr consistentHash on cookie user (ttl 60s): every user=tester request reaches one replica',
  { skip },
  async () => {
    const replicas = await twoAds(
      '{ loadBalancer: { consistentHash: { httpCookie: { name: user, ttl: 60s } } } }',
    );
    const replies = await burst('frontend-v1', 'http://advertisement:3003/ad', 30, 1, {
      'user-agent': 'scenario-12',
      cookie: 'user=tester',
    });
    assert.equal(replies.filter((r) => r.status === 200).length, 30);
    const counts = await Promise.all(
      replicas.map(
        async (p) => (await mesh.accessLog({ name: p, namespace: 'weather' }, 'scenario-12')).length,
      ),
    );
    assert.deepEqual([...counts].sort(), [0, 30]);
  },
);

// The two endpoints of forecast are forecast-v1 (fast) and forecast-v2, made slow by a 1 s
// fault delay on its calls to recommendation. Round robin or random would send each half.
test(
  'scenario 13: forecast-dr LEAST_CONN: with one endpoint slow, most of 400 concurrent requests go to the fast one',
  { skip },
  async () => {
    await mesh.apply(`${deployment('weather-v2.yaml', 'forecast-v2', 1)}
---
${rule('forecast', '{ loadBalancer: { simple: LEAST_CONN } }')}
---
${virtualService('forecast', `  - route: [{ destination: { host: forecast } }]`)}
---
${virtualService(
  'recommendation',
  `  - fault: { delay: { fixedDelay: 1s, percentage: { value: 100 } } }
    route: [{ destination: { host: recommendation, subset: v1 } }]`,
)}`);
    assert.equal((await podNames('forecast-v2')).length, 1);
    const replies = await burst('frontend-v1', 'http://forecast:3002/weather?locate=Rome', 400, 10);
    assert.equal(replies.filter((r) => r.status === 200).length, 400);
    const slow = replies.filter((r) => (JSON.parse(r.body) as { version: string }).version === 'v2').length;
    assert.ok(slow > 0 && slow < 140, `requests to the slow endpoint: ${slow}/400`);
  },
);

/** Opens `n` TCP connections to the gateway's 31400, `c` at a time; the first reply line of each. */
async function tcpEcho(n: number, c: number): Promise<string[]> {
  const { connect } = await import('node:net');
  const out: string[] = [];
  let next = 0;
  const one = (): Promise<string> =>
    new Promise((resolve) => {
      const sock = connect(mesh.ingressPort + 2, '127.0.0.1');
      let buf = '';
      sock.setEncoding('utf8');
      sock.setTimeout(10_000, () => sock.destroy(new Error('timeout')));
      sock.on('connect', () => sock.write('hello\n'));
      sock.on('data', (d: string) => {
        buf += d;
        if (buf.includes('\n')) sock.end();
      });
      sock.on('close', () => resolve(buf.split('\n')[0]!));
      sock.on('error', (e) => (buf = `error ${e.message}\n`));
    });
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      out.push(await one());
    }
  };
  await Promise.all(times(c, worker));
  return out;
}

test(
  'scenario 08: gateway port 31400 TCP to tcp-echo: 10 connections all v1; then v1 80 / v2 20 over 1000 connections, 80% ± 5% v1',
  { skip },
  async () => {
    const tcpRoute = (v1: number, v2: number): string => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: tcp-echo, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/tcp-echo-gateway]
  tcp:
  - match: [{ port: 31400 }]
    route:
    - { destination: { host: tcp-echo, port: { number: 9000 }, subset: v1 }, weight: ${v1} }
    - { destination: { host: tcp-echo, port: { number: 9000 }, subset: v2 }, weight: ${v2} }`;
    await mesh.apply(`${readFileSync(join(SAMPLE, 'install/tcp-echo.yaml'), 'utf8')}
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: tcp-echo-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 31400, name: tcp, protocol: TCP }
    hosts: ['*']
---
${tcpRoute(100, 0)}`);
    assert.deepEqual(
      await tcpEcho(10, 1),
      times(10, () => 'v1 hello'),
    );
    await mesh.apply(tcpRoute(80, 20));
    const replies = await tcpEcho(1000, 20);
    const v1 = replies.filter((l) => l === 'v1 hello').length;
    assert.equal(
      v1 + replies.filter((l) => l === 'v2 hello').length,
      1000,
      replies.find((l) => !/^v[12] /.test(l)),
    );
    assert.ok(v1 >= 750 && v1 <= 850, `v1 replies: ${v1}/1000`);
  },
);
