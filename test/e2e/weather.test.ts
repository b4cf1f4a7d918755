// End to end on `weft up --detach` with the weather sample (scenarios.md). The mesh comes up
// once for the file; each test is one scenario against it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE, TestMesh, meshSkipReason, virtualService, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const podNames = async (deploy: string): Promise<string[]> => (await mesh.pods(deploy)).map((p) => p.name);
const page = (path = '/'): string => `http://127.0.0.1:${mesh.ingressPort}${path}`;

before(async () => {
  if (skip) return;
  await mesh.upSample(['install/weather-v1.yaml']);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

test(
  'scenario 01: baseline through the ingress: green buttons, weather and an ad, no recommendation',
  { skip },
  async () => {
    const home = await fetch(page('/'));
    const html = await home.text();
    assert.equal(home.status, 200, html);
    assert.match(html, /data-version="v1"/);
    assert.match(html, /class="btn-green"/);
    const query = await fetch(page('/?city=Paris'));
    const result = await query.text();
    assert.equal(query.status, 200, result);
    assert.match(result, /<div id="weather" data-forecast-version="v1">Paris: /);
    assert.doesNotMatch(result, /<div id="ad">[^<]*unavailable/);
    assert.doesNotMatch(result, /id="recommendation"/);
  },
);

test('weft status lists every pod Ready with its sidecar', { skip }, async () => {
  const r = await weft(['status', '--state-dir', mesh.stateDir, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const { pods } = JSON.parse(r.stdout) as {
    pods: { name: string; namespace: string; status: { ready: boolean; containers: { name: string }[] } }[];
  };
  const weather = pods.filter((p) => p.namespace === 'weather');
  assert.equal(weather.length, 3);
  for (const p of weather) {
    assert.ok(p.status.ready, `${p.name} not ready`);
    assert.deepEqual(
      p.status.containers.map((c) => c.name).sort(),
      ['istio-proxy', p.name.split('-v1-')[0]!].sort(),
    );
  }
});

test(
  'weft exec runs in the pod: frontend reaches forecast by name through its sidecar',
  { skip },
  async () => {
    const r = await weft([
      'exec',
      'deploy/frontend-v1',
      '-n',
      'weather',
      '--state-dir',
      mesh.stateDir,
      '--',
      process.execPath,
      '-e',
      "fetch('http://forecast:3002/weather?locate=Oslo').then(async r => console.log(r.status, r.headers.get('server'), await r.text()))",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^200 /);
    assert.match(r.stdout, /Oslo/);
  },
);

const weights = (v1: number, v2: number): string => `  - route:
    - { destination: { host: forecast, subset: v1 }, weight: ${v1} }
    - { destination: { host: forecast, subset: v2 }, weight: ${v2} }`;

interface Reply {
  status: number;
  ms: number;
  body: string;
  location: string | null;
}

/** Requests sent from inside a pod (so through its sidecar), one after the other. */
async function fromPod(
  deploy: string,
  requests: { url: string; headers?: Record<string, string> }[],
): Promise<Reply[]> {
  const script = `const out = [];
for (const q of ${JSON.stringify(requests)}) {
  const t = performance.now();
  try {
    const r = await fetch(q.url, { headers: q.headers ?? {}, redirect: 'manual' });
    const body = await r.text();
    out.push({ status: r.status, ms: performance.now() - t, body: body.slice(0, 4000), location: r.headers.get('location') });
  } catch (e) {
    out.push({ status: 0, ms: performance.now() - t, body: String(e.cause ?? e), location: null });
  }
}
console.log(JSON.stringify(out));`;
  return mesh.nodeIn<Reply[]>('weather', deploy, script);
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** The weather page for a query through the ingress, `n` times in sequence. */
async function pages(n: number, headers: Record<string, string> = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(page(`/?city=Paris`), { headers });
    const html = await r.text();
    assert.equal(r.status, 200, html);
    out.push(html);
  }
  return out;
}
const hasRecommendation = (html: string): boolean => html.includes('id="recommendation"');

test(
  'scenario 02: forecast-v2 deployed, forecast-route 100% v1: no query has a recommendation',
  { skip },
  async () => {
    await mesh.apply(readFileSync(join(SAMPLE, 'install/weather-v2.yaml'), 'utf8'));
    await mesh.apply(virtualService('forecast', weights(100, 0)));
    const html = await pages(100);
    assert.equal(html.filter(hasRecommendation).length, 0);
  },
);

// 400 queries with a ±7.5% band (3σ ≈ ±7.5% at n=400) instead of 1000 with ±5%, for CI time.
test(
  'scenario 03: forecast-route v1 50 / v2 50: about half of 400 queries carry a recommendation',
  { skip },
  async () => {
    await mesh.apply(virtualService('forecast', weights(50, 50)));
    const share = (await pages(400)).filter(hasRecommendation).length / 400;
    assert.ok(share > 0.425 && share < 0.575, `share with a recommendation: ${share}`);
  },
);

test(
  'scenario 04: forecast-route v1 0 / v2 100: every query carries a recommendation',
  { skip },
  async () => {
    await mesh.apply(virtualService('forecast', weights(0, 100)));
    const html = await pages(50);
    assert.equal(html.filter(hasRecommendation).length, 50);
  },
);

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

test(
  'scenario 05: forecast-route by User-Agent regex: Chrome always gets a recommendation, Firefox never',
  { skip },
  async () => {
    await mesh.apply(
      virtualService(
        'forecast',
        `  - match: [{ headers: { user-agent: { regex: '.*(Chrome/([\\d.]+)).*' } } }]
    route: [{ destination: { host: forecast, subset: v2 } }]
  - route: [{ destination: { host: forecast, subset: v1 } }]`,
      ),
    );
    assert.equal((await pages(20, { 'user-agent': CHROME })).filter(hasRecommendation).length, 20);
    assert.equal((await pages(20, { 'user-agent': FIREFOX })).filter(hasRecommendation).length, 0);
  },
);

test(
  'scenario 07: cookie user=tester gets frontend v2 (blue) and forecast v2; anyone else v1, never mixed',
  { skip },
  async () => {
    await mesh.apply(`apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - match: [{ headers: { cookie: { regex: '^(.*?;)?(user=tester)(;.*)?$' } } }]
    route: [{ destination: { host: frontend, subset: v2 } }]
  - route: [{ destination: { host: frontend, subset: v1 } }]
---
${virtualService(
  'forecast',
  `  - match: [{ sourceLabels: { version: v2 } }]
    route: [{ destination: { host: forecast, subset: v2 } }]
  - route: [{ destination: { host: forecast, subset: v1 } }]`,
)}`);
    for (const html of await pages(10, { cookie: 'user=tester; theme=dark' })) {
      assert.match(html, /data-version="v2"/);
      assert.match(html, /class="btn-blue"/);
      assert.ok(hasRecommendation(html), html);
    }
    for (const html of await pages(10, { cookie: 'user=alice' })) {
      assert.match(html, /data-version="v1"/);
      assert.match(html, /class="btn-green"/);
      assert.ok(!hasRecommendation(html), html);
    }
  },
);

test(
  'scenario 10: two advertisement-v1 replicas, ROUND_ROBIN: 6 requests, 3 in each inbound access log',
  { skip },
  async () => {
    const deployment = readFileSync(join(SAMPLE, 'install/weather-v1.yaml'), 'utf8')
      .split(/^---$/m)
      .find((d) => /kind: Deployment/.test(d) && /name: advertisement-v1/.test(d))!;
    await mesh.apply(`${deployment.replace(/replicas: 1/, 'replicas: 2')}
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: advertisement-dr, namespace: weather }
spec:
  host: advertisement
  trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } }
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
  - { name: v3, labels: { version: v3 } }`);
    const replicas = await podNames('advertisement-v1');
    assert.equal(replicas.length, 2);
    const replies = await fromPod(
      'frontend-v1',
      times(6, () => ({ url: 'http://advertisement:3003/ad', headers: { 'user-agent': 'scenario-10' } })),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      times(6, () => 200),
    );
    const counts = await Promise.all(
      replicas.map(
        async (p) => (await mesh.accessLog({ name: p, namespace: 'weather' }, 'scenario-10')).length,
      ),
    );
    assert.deepEqual(counts, [3, 3]);
  },
);

test(
  'scenario 14: fault delay 3s on advertisement: 200 after at least 3.0 s and under 3.5 s',
  { skip },
  async () => {
    await mesh.apply(
      virtualService(
        'advertisement',
        `  - fault: { delay: { fixedDelay: 3s, percentage: { value: 100 } } }
    route: [{ destination: { host: advertisement, subset: v1 } }]`,
      ),
    );
    const [r] = await fromPod('frontend-v1', [{ url: 'http://advertisement:3003/ad' }]);
    assert.equal(r!.status, 200, r!.body);
    assert.ok(r!.ms >= 3000 && r!.ms < 3500, `took ${r!.ms} ms`);
  },
);

test(
  'scenario 15: fault abort 500: 20 calls all 500 (FI), none reaches the pod; deleted: 200 again',
  { skip },
  async () => {
    await mesh.apply(
      virtualService(
        'advertisement',
        `  - fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }
    route: [{ destination: { host: advertisement, subset: v1 } }]`,
      ),
    );
    const ua = { 'user-agent': 'scenario-15' };
    const replies = await fromPod(
      'frontend-v1',
      times(20, () => ({ url: 'http://advertisement:3003/ad', headers: ua })),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      times(20, () => 500),
    );
    const [frontend] = await podNames('frontend-v1');
    const outbound = await mesh.accessLog({ name: frontend!, namespace: 'weather' }, 'scenario-15');
    assert.equal(outbound.length, 20);
    for (const l of outbound) assert.match(l, /" 500 FI /);
    for (const p of await podNames('advertisement-v1'))
      assert.deepEqual(await mesh.accessLog({ name: p, namespace: 'weather' }, 'scenario-15'), []);
    await mesh.apply(
      virtualService('advertisement', `  - route: [{ destination: { host: advertisement, subset: v1 } }]`),
    );
    const [after] = await fromPod('frontend-v1', [{ url: 'http://advertisement:3003/ad', headers: ua }]);
    assert.equal(after!.status, 200, after!.body);
  },
);

test(
  'scenario 16: forecast v2 with timeout 1s, recommendation delayed 4s: 504 after about 1 s (UT)',
  { skip },
  async () => {
    await mesh.apply(`${virtualService(
      'forecast',
      `  - timeout: 1s
    route: [{ destination: { host: forecast, subset: v2 } }]`,
    )}
---
${virtualService(
  'recommendation',
  `  - fault: { delay: { fixedDelay: 4s, percentage: { value: 100 } } }
    route: [{ destination: { host: recommendation, subset: v1 } }]`,
)}`);
    const [r] = await fromPod('frontend-v1', [
      { url: 'http://forecast:3002/weather?locate=Rome', headers: { 'user-agent': 'scenario-16' } },
    ]);
    assert.equal(r!.status, 504, r!.body);
    assert.ok(r!.ms >= 1000 && r!.ms < 1500, `took ${r!.ms} ms`);
    const [frontend] = await podNames('frontend-v1');
    const log = await mesh.accessLog({ name: frontend!, namespace: 'weather' }, 'scenario-16');
    assert.equal(log.length, 1);
    assert.match(log[0]!, /" 504 UT /);
  },
);

/** forecast's inbound lines (its sidecar also logs its own calls to recommendation, same User-Agent). */
const inboundForecast = (lines: string[]): string[] => lines.filter((l) => l.includes('"forecast:3002"'));

test(
  'scenario 17: recommendation aborts 500: forecast-v2 sees 1 request without retries, 4 with attempts: 3 (URX)',
  { skip },
  async () => {
    const abort = virtualService(
      'recommendation',
      `  - fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }
    route: [{ destination: { host: recommendation, subset: v1 } }]`,
    );
    const [forecast] = await podNames('forecast-v2');
    const [frontend] = await podNames('frontend-v1');
    await mesh.apply(
      `${virtualService('forecast', `  - route: [{ destination: { host: forecast, subset: v2 } }]`)}\n---\n${abort}`,
    );
    const [once] = await fromPod('frontend-v1', [
      { url: 'http://forecast:3002/weather?locate=Rome', headers: { 'user-agent': 'scenario-17a' } },
    ]);
    assert.equal(once!.status, 500, once!.body);
    assert.equal(
      inboundForecast(await mesh.accessLog({ name: forecast!, namespace: 'weather' }, 'scenario-17a')).length,
      1,
    );

    await mesh.apply(
      virtualService(
        'forecast',
        `  - retries: { attempts: 3, perTryTimeout: 1s, retryOn: 5xx }
    route: [{ destination: { host: forecast, subset: v2 } }]`,
      ),
    );
    const [retried] = await fromPod('frontend-v1', [
      { url: 'http://forecast:3002/weather?locate=Rome', headers: { 'user-agent': 'scenario-17b' } },
    ]);
    assert.equal(retried!.status, 500, retried!.body);
    assert.equal(
      inboundForecast(await mesh.accessLog({ name: forecast!, namespace: 'weather' }, 'scenario-17b')).length,
      4,
    );
    const log = await mesh.accessLog({ name: frontend!, namespace: 'weather' }, 'scenario-17b');
    assert.equal(log.length, 1);
    assert.match(log[0]!, /" 500 URX /);
  },
);

test(
  'scenario 18: redirect /ad → 301 to advertisement.weather.svc.cluster.local/maintenanced; the pod sees nothing',
  { skip },
  async () => {
    await mesh.apply(
      virtualService(
        'advertisement',
        `  - match: [{ uri: { prefix: /ad } }]
    redirect: { uri: /maintenanced, authority: advertisement.weather.svc.cluster.local }`,
      ),
    );
    const [r] = await fromPod('frontend-v1', [
      { url: 'http://advertisement:3003/ad', headers: { 'user-agent': 'scenario-18' } },
    ]);
    assert.equal(r!.status, 301, r!.body);
    assert.equal(r!.location, 'http://advertisement.weather.svc.cluster.local/maintenanced');
    for (const p of await podNames('advertisement-v1'))
      assert.deepEqual(await mesh.accessLog({ name: p, namespace: 'weather' }, 'scenario-18'), []);
  },
);

test(
  'scenario 19: rewrite /demo/ → /: /ad is 404 (NR), /demo/ad is 200 and the pod sees /ad',
  { skip },
  async () => {
    await mesh.apply(
      virtualService(
        'advertisement',
        `  - match: [{ uri: { prefix: /demo/ } }]
    rewrite: { uri: / }
    route: [{ destination: { host: advertisement, subset: v1 } }]`,
      ),
    );
    const ua = { 'user-agent': 'scenario-19' };
    const [plain, rewritten] = await fromPod('frontend-v1', [
      { url: 'http://advertisement:3003/ad', headers: ua },
      { url: 'http://advertisement:3003/demo/ad', headers: ua },
    ]);
    assert.equal(plain!.status, 404, plain!.body);
    assert.equal(rewritten!.status, 200, rewritten!.body);
    const [frontend] = await podNames('frontend-v1');
    assert.match(
      (await mesh.accessLog({ name: frontend!, namespace: 'weather' }, 'scenario-19'))[0]!,
      /"GET \/ad HTTP\/1.1" 404 NR /,
    );
    const replicas = await podNames('advertisement-v1');
    const inbound = await Promise.all(
      replicas.map((p) => mesh.accessLog({ name: p, namespace: 'weather' }, 'scenario-19')),
    );
    assert.equal(inbound.flat().length, 1);
    assert.match(inbound.flat()[0]!, /" 200 /);
    const served = replicas[inbound.findIndex((l) => l.length === 1)]!;
    const app = await weft(['logs', served, '-n', 'weather', '--state-dir', mesh.stateDir]);
    const requests = app.stdout.split('\n').filter((l) => / GET /.test(l) && !l.includes('/health'));
    assert.match(requests.at(-1)!, /GET \/ad 200$/);
    assert.ok(!requests.some((l) => l.includes('/demo/')), app.stdout);
  },
);
