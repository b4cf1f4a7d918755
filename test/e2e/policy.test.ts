// End to end, Mixer policy (scenarios.md 32 and 33) on `weft up --detach` with the weather sample:
// Istio 1.1 Mixer YAML applied unmodified, requests sent with curl from inside the frontend and
// sleep pods (through their sidecars) and the page fetched through the ingress gateway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { TestMesh, meshSkipReason, weft } from './mesh.js';

const skip = await meshSkipReason();
const mesh = new TestMesh();
const AD = 'http://advertisement.weather:3003/ad';

before(async () => {
  if (skip) return;
  await mesh.upSample(['install/weather-v1.yaml', 'install/sleep.yaml', 'install/tcp-echo.yaml']);
});

after(async () => {
  if (skip) return;
  const down = await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
});

interface Reply {
  status: number;
  body: string;
}

/** One `curl` run inside a pod of `deploy` (its traffic leaves through the pod's sidecar), `n` requests. */
async function curlFrom(
  ns: string,
  deploy: string,
  url: string,
  n = 1,
  headers: string[] = [],
): Promise<Reply[]> {
  const out = await mesh.run(ns, deploy, [
    'curl',
    '-sS',
    '-m',
    '10',
    ...headers.flatMap((h) => ['-H', h]),
    '-w',
    '\n@@%{http_code}@@\n',
    ...Array<string>(n).fill(url),
  ]);
  return [...out.matchAll(/([\s\S]*?)\n@@(\d+)@@\n/g)].map((m) => ({
    status: Number(m[2]),
    body: m[1]!,
  }));
}

const fromFrontend = async (): Promise<Reply> => (await curlFrom('weather', 'frontend-v1', AD))[0]!;
const fromSleep = async (): Promise<Reply> => (await curlFrom('default', 'sleep', AD))[0]!;

/** The weather page through the ingress gateway: its ad area. */
async function pageAd(): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${mesh.ingressPort}/`);
  assert.equal(r.status, 200);
  const m = /<div id="ad">(.*?)<\/div>/s.exec(await r.text());
  assert.ok(m, 'the page has an ad area');
  return m[1]!;
}

const RULE = (match: string) => `apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: denycustomer, namespace: weather }
spec:
  match: ${match}
  actions:
  - handler: denycustomerhandler.denier
    instances: [denycustomerrequests.checknothing]
`;

// Istio 1.1's denier example with the legacy per-adapter kinds.
const DENIER = `apiVersion: config.istio.io/v1alpha2
kind: denier
metadata: { name: denycustomerhandler, namespace: weather }
spec:
  status:
    code: 7
    message: Not allowed
---
apiVersion: config.istio.io/v1alpha2
kind: checknothing
metadata: { name: denycustomerrequests, namespace: weather }
spec: {}
---
${RULE('destination.labels["app"] == "advertisement" && source.labels["app"] == "frontend"')}`;

test(
  'scenario 32: a denier rule (frontend → advertisement) answers 403; the page shows the ad unavailable; delete → 200',
  { skip },
  async () => {
    const before = await fromFrontend();
    assert.equal(before.status, 200, before.body);
    assert.doesNotMatch(await pageAd(), /unavailable/);

    await mesh.apply(DENIER);
    const denied = await fromFrontend();
    assert.deepEqual(denied, {
      status: 403,
      body: 'PERMISSION_DENIED:denycustomerhandler.denier.weather:Not allowed',
    });
    assert.equal(await pageAd(), 'advertisement unavailable');
    // The rule is about frontend: another caller still gets the ad.
    assert.equal((await fromSleep()).status, 200);

    // A malformed rule is rejected with a clear error, and the policy in force keeps serving.
    const bad = await weft(['apply', '-f', '-', '--state-dir', mesh.stateDir], RULE('source.labels["app"]'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /rule.*denycustomer/i);
    assert.match(
      bad.stderr,
      /expression 'source\.labels\["app"\]' evaluated to type STRING, expected type BOOL/,
    );
    assert.equal((await fromFrontend()).status, 403);

    await mesh.remove(DENIER);
    const again = await fromFrontend();
    assert.equal(again.status, 200, again.body);
    assert.match(JSON.parse(again.body).image as string, /\S/);
    assert.doesNotMatch(await pageAd(), /unavailable/);
  },
);

// Istio 1.1's whitelist with the generic handler/instance/rule kinds.
const WHITELIST = `apiVersion: config.istio.io/v1alpha2
kind: handler
metadata: { name: whitelist, namespace: weather }
spec:
  compiledAdapter: listchecker
  params:
    overrides: [frontend]
    blacklist: false
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata: { name: appname, namespace: weather }
spec:
  compiledTemplate: listentry
  params:
    value: source.labels["app"]
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: checkapp, namespace: weather }
spec:
  match: destination.labels["app"] == "advertisement"
  actions:
  - handler: whitelist
    instances: [appname]
`;

test(
  'scenario 33: a listchecker whitelist of source.labels["app"] admits frontend; sleep gets 403 PERMISSION_DENIED',
  { skip },
  async () => {
    assert.equal((await fromSleep()).status, 200);
    await mesh.apply(WHITELIST);
    const frontend = await fromFrontend();
    assert.equal(frontend.status, 200, frontend.body);
    assert.doesNotMatch(await pageAd(), /unavailable/);
    const sleep = await fromSleep();
    assert.deepEqual(sleep, {
      status: 403,
      body: 'PERMISSION_DENIED:whitelist.weather:sleep is not whitelisted',
    });

    await mesh.remove(WHITELIST);
    assert.equal((await fromSleep()).status, 200);
  },
);

// Istio 1.1's rate-limit task shape: memquota handler, quota instance, QuotaSpec(Binding), rule.
const QUOTA = `apiVersion: config.istio.io/v1alpha2
kind: handler
metadata: { name: quotahandler, namespace: istio-system }
spec:
  compiledAdapter: memquota
  params:
    quotas:
    - name: requestcountquota.instance.istio-system
      maxAmount: 500
      validDuration: 1s
      overrides:
      - dimensions: { destination: advertisement }
        maxAmount: 4
        validDuration: 5s
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata: { name: requestcountquota, namespace: istio-system }
spec:
  compiledTemplate: quota
  params:
    dimensions:
      source: request.headers["x-forwarded-for"] | "unknown"
      destination: destination.labels["app"] | destination.service.name | "unknown"
      destinationVersion: destination.labels["version"] | "unknown"
---
apiVersion: config.istio.io/v1alpha2
kind: QuotaSpec
metadata: { name: request-count, namespace: istio-system }
spec:
  rules:
  - quotas:
    - charge: 1
      quota: requestcountquota
---
apiVersion: config.istio.io/v1alpha2
kind: QuotaSpecBinding
metadata: { name: request-count, namespace: istio-system }
spec:
  quotaSpecs:
  - name: request-count
    namespace: istio-system
  services:
  - name: advertisement
    namespace: weather
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: quota, namespace: istio-system }
spec:
  match: match(request.headers["cookie"], "user=tester") == false
  actions:
  - handler: quotahandler
    instances: [requestcountquota]
`;

test(
  'scenario 22 with memquota: 4 requests per 5 s to advertisement, the 5th 429 RESOURCE_EXHAUSTED; testers exempt; a new window grants again',
  { skip },
  async () => {
    await mesh.apply(QUOTA);
    const started = Date.now();
    const five = await curlFrom('weather', 'frontend-v1', AD, 5);
    // Every grant was counted before this instant; the rolling window frees them 5 s later.
    const counted = Date.now();
    assert.ok(Date.now() - started < 5000, 'the five requests fit in one window');
    assert.deepEqual(
      five.map((r) => r.status),
      [200, 200, 200, 200, 429],
    );
    assert.equal(five[4]!.body, 'RESOURCE_EXHAUSTED:Quota is exhausted for: requestcountquota');
    const testers = await curlFrom('weather', 'frontend-v1', AD, 3, ['Cookie: user=tester']);
    assert.deepEqual(
      testers.map((r) => r.status),
      [200, 200, 200],
    );
    await new Promise((r) => setTimeout(r, Math.max(0, counted + 5500 - Date.now())));
    assert.equal((await fromFrontend()).status, 200);
    await mesh.remove(QUOTA);
    assert.deepEqual(
      (await curlFrom('weather', 'frontend-v1', AD, 6)).map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
  },
);

test(
  'Mixer checks TCP connections too (Istio 1.1 tcp filter): a denier for sleep → tcp-echo closes its connections; frontend still echoes',
  { skip },
  async () => {
    const TCP_DENIER = DENIER.replace(
      RULE('destination.labels["app"] == "advertisement" && source.labels["app"] == "frontend"'),
      RULE(
        'destination.labels["app"] == "tcp-echo" && source.labels["app"] == "sleep" && context.protocol == "tcp"',
      ),
    );
    assert.match((await mesh.tcpEcho('default', 'sleep', 1))[0]!, /^v[12] hello 0\n$/);
    await mesh.apply(TCP_DENIER);
    try {
      assert.deepEqual(await mesh.tcpEcho('default', 'sleep', 2), ['', '']);
      for (const got of await mesh.tcpEcho('weather', 'frontend-v1', 2))
        assert.match(got, /^v[12] hello \d\n$/);
      // HTTP to advertisement is not covered by this rule.
      assert.equal((await fromSleep()).status, 200);
    } finally {
      await mesh.remove(TCP_DENIER);
    }
    assert.match((await mesh.tcpEcho('default', 'sleep', 1))[0]!, /^v[12] hello 0\n$/);
  },
);
