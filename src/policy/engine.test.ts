import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { parseResources } from '../config/loader.js';
import { ConfigStore } from '../config/store.js';
import { validateLoaded } from '../api/validate.js';
import { PolicyEngine, type CheckDecision } from './engine.js';
import { buildPolicySnapshot } from './snapshot.js';

const logs: string[] = [];
const log = (_l: string, m: string): void => void logs.push(m);

function apply(store: ConfigStore, yaml: string): void {
  const { resources, diagnostics } = parseResources(yaml, 'policy.yaml');
  assert.deepEqual(diagnostics, []);
  // What `weft apply` admits: every resource here passes Galley's validation.
  assert.deepEqual(
    resources.flatMap(validateLoaded).filter((d) => d.severity === 'error'),
    [],
  );
  const r = store.apply(resources, { owner: 'test' });
  assert.ok(r.ok);
  store.flush();
}

function engineWith(yaml: string, store = new ConfigStore({ debounceMs: 0, maxDelayMs: 0 })): PolicyEngine {
  apply(store, yaml);
  const engine = new PolicyEngine(store, { defaultNamespace: 'istio-system', log });
  after(() => engine.close());
  return engine;
}

/** A request from a pod with `app: <from>` labels to `<to>` in `ns`. */
function bag(from: string | undefined, to: string, ns = 'weather', extra: Record<string, unknown> = {}) {
  return new Map<string, unknown>([
    ...(from ? ([['source.labels', { app: from, version: 'v1' }]] as const) : []),
    ['source.ip', '10.244.0.7'],
    ['destination.labels', { app: to, version: 'v1' }],
    ['destination.namespace', ns],
    ['destination.service.host', `${to}.${ns}.svc.cluster.local`],
    ['context.reporter.kind', 'inbound'],
    ...Object.entries(extra),
  ]);
}

const status = (d: CheckDecision): string =>
  d.kind === 'error' ? `error ${d.message}` : `${d.status.code} ${d.status.message}`;

const DENIER = `apiVersion: config.istio.io/v1alpha2
kind: denier
metadata: { name: denycustomerhandler, namespace: weather }
spec:
  status: { code: 7, message: Not allowed }
---
apiVersion: config.istio.io/v1alpha2
kind: checknothing
metadata: { name: denycustomerrequests, namespace: weather }
spec: {}
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: denycustomer, namespace: weather }
spec:
  match: destination.labels["app"] == "advertisement" && source.labels["app"] == "frontend"
  actions:
  - handler: denycustomerhandler.denier
    instances: [denycustomerrequests.checknothing]
`;

test('denier (legacy kinds): frontend → advertisement denied with the handler and message; others pass', () => {
  const e = engineWith(DENIER);
  assert.equal(
    status(e.check(bag('frontend', 'advertisement'))),
    '7 denycustomerhandler.denier.weather:Not allowed',
  );
  assert.equal(status(e.check(bag('frontend', 'forecast'))), '0 ');
  assert.equal(status(e.check(bag('sleep', 'advertisement'))), '0 ');
  // A match that cannot be evaluated (no source labels) does not match, as in Mixer.
  assert.equal(status(e.check(bag(undefined, 'advertisement'))), '0 ');
  assert.deepEqual([...e.scope()], ['weather']);
});

test('rule namespacing: a rule applies to its own namespace; istio-system rules to every destination', () => {
  const inWeather = engineWith(DENIER);
  assert.equal(status(inWeather.check(bag('frontend', 'advertisement', 'default'))), '0 ');
  const inRoot = engineWith(DENIER.replace(/namespace: weather/g, 'namespace: istio-system'));
  assert.equal(
    status(inRoot.check(bag('frontend', 'advertisement', 'default'))),
    '7 denycustomerhandler.denier.istio-system:Not allowed',
  );
  assert.equal(
    status(inRoot.check(bag('frontend', 'advertisement', 'weather'))),
    '7 denycustomerhandler.denier.istio-system:Not allowed',
  );
  assert.deepEqual([...inRoot.scope()], ['*']);
});

test('generic handler/instance/rule kinds: the handler is named name.namespace, as Mixer 1.1 does', () => {
  const e = engineWith(`apiVersion: config.istio.io/v1alpha2
kind: handler
metadata: { name: deny, namespace: weather }
spec:
  compiledAdapter: denier
  params: { status: { code: 16, message: who are you } }
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata: { name: nothing, namespace: weather }
spec: { compiledTemplate: checknothing }
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: r, namespace: weather }
spec:
  match: request.headers["x-user"] == "mallory"
  actions: [{ handler: deny, instances: [nothing] }]
`);
  const mallory = bag('frontend', 'forecast', 'weather', { 'request.headers': { 'x-user': 'mallory' } });
  assert.equal(status(e.check(mallory)), '16 deny.weather:who are you');
  const bob = bag('frontend', 'forecast', 'weather', { 'request.headers': { 'x-user': 'bob' } });
  assert.equal(status(e.check(bob)), '0 ');
});

const list = (params: string, value = 'source.labels["app"]'): string => `apiVersion: config.istio.io/v1alpha2
kind: listchecker
metadata: { name: whitelist, namespace: weather }
spec:
${params}
---
apiVersion: config.istio.io/v1alpha2
kind: listentry
metadata: { name: appname, namespace: weather }
spec: { value: '${value}' }
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: checkapp, namespace: weather }
spec:
  match: destination.labels["app"] == "advertisement"
  actions: [{ handler: whitelist.listchecker, instances: [appname.listentry] }]
`;

test('listchecker whitelist of source.labels["app"]: frontend passes, anyone else is not whitelisted', () => {
  const e = engineWith(list('  overrides: [frontend]\n  blacklist: false'));
  assert.equal(status(e.check(bag('frontend', 'advertisement'))), '0 ');
  assert.equal(
    status(e.check(bag('sleep', 'advertisement'))),
    '7 whitelist.listchecker.weather:sleep is not whitelisted',
  );
  assert.equal(status(e.check(bag('sleep', 'forecast'))), '0 ', 'the rule only covers advertisement');
  // A missing map key is "" in Mixer, looked up like any string.
  const unlabelled = bag('x', 'advertisement', 'weather', { 'source.labels': {} });
  assert.equal(status(e.check(unlabelled)), '7 whitelist.listchecker.weather: is not whitelisted');
  // No labels to look up: the instance cannot be built, so Mixer cannot decide (INTERNAL).
  assert.match(status(e.check(bag(undefined, 'advertisement'))), /^error .*source\.labels/);
});

test('listchecker blacklist and entry types', () => {
  const black = engineWith(list('  overrides: [sleep]\n  blacklist: true'));
  assert.equal(
    status(black.check(bag('sleep', 'advertisement'))),
    '7 whitelist.listchecker.weather:sleep is blacklisted',
  );
  assert.equal(status(black.check(bag('frontend', 'advertisement'))), '0 ');

  const ci = engineWith(list('  overrides: [FrontEnd]\n  entryType: CASE_INSENSITIVE_STRINGS'));
  assert.equal(status(ci.check(bag('frontend', 'advertisement'))), '0 ');
  const exact = engineWith(list('  overrides: [FrontEnd]'));
  assert.equal(
    status(exact.check(bag('frontend', 'advertisement'))),
    '7 whitelist.listchecker.weather:frontend is not whitelisted',
  );

  const re = engineWith(list('  overrides: ["^front"]\n  entryType: REGEX'));
  assert.equal(status(re.check(bag('frontend', 'advertisement'))), '0 ');
  assert.equal(
    status(re.check(bag('sleep', 'advertisement'))),
    '7 whitelist.listchecker.weather:sleep is not whitelisted',
  );

  const ips = engineWith(
    list('  overrides: [10.244.0.0/24, 10.9.9.9]\n  entryType: IP_ADDRESSES', 'source.ip'),
  );
  assert.equal(status(ips.check(bag('x', 'advertisement'))), '0 ');
  const other = bag('x', 'advertisement', 'weather', { 'source.ip': '10.244.1.7' });
  assert.equal(status(ips.check(other)), '7 whitelist.listchecker.weather:10.244.1.7 is not whitelisted');
  const single = bag('x', 'advertisement', 'weather', { 'source.ip': '10.9.9.9' });
  assert.equal(status(ips.check(single)), '0 ');
});

test('listchecker providerUrl: the list comes from a loopback server; other hosts are refused', async () => {
  let body = 'frontend\nforecast\n';
  const server = http.createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`;
  const e = engineWith(list(`  providerUrl: ${url}\n  refreshInterval: 1s\n  ttl: 10s`));
  const until = async (ok: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await until(() => e.check(bag('forecast', 'advertisement')).kind === 'status');
  assert.equal(status(e.check(bag('forecast', 'advertisement'))), '0 ');
  assert.equal(
    status(e.check(bag('sleep', 'advertisement'))),
    '7 whitelist.listchecker.weather:sleep is not whitelisted',
  );
  body = 'sleep\n';
  await until(() => status(e.check(bag('sleep', 'advertisement'))) === '0 ');
  assert.equal(status(e.check(bag('sleep', 'advertisement'))), '0 ', 'the refreshed list is used');
  assert.equal(
    status(e.check(bag('forecast', 'advertisement'))),
    '7 whitelist.listchecker.weather:forecast is not whitelisted',
  );

  const { resources } = parseResources(
    list('  providerUrl: http://lists.example.com/l\n  refreshInterval: 1s\n  ttl: 10s'),
    'p.yaml',
  );
  const s = buildPolicySnapshot(
    resources.map((r) => r.resource),
    { log },
  );
  assert.deepEqual(s.rules, []);
  assert.match(
    s.errors.join('\n'),
    /providerUrl http:\/\/lists\.example\.com\/l: Weft fetches lists only from loopback/,
  );
});

test('a rule naming a missing handler is left out with an error naming it', () => {
  const { resources } = parseResources(
    DENIER.replace('handler: denycustomerhandler.denier', 'handler: nosuch.denier'),
    'p.yaml',
  );
  const s = buildPolicySnapshot(
    resources.map((r) => r.resource),
    { log },
  );
  assert.deepEqual(s.rules, []);
  assert.deepEqual(s.errors, [
    "action='denycustomer.rule.weather[0]': Handler not found: handler='nosuch.denier'",
  ]);
});

const QUOTA = (window: string) => `apiVersion: config.istio.io/v1alpha2
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
        validDuration: ${window}
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
---
apiVersion: config.istio.io/v1alpha2
kind: QuotaSpec
metadata: { name: request-count, namespace: istio-system }
spec:
  rules:
  - quotas: [{ charge: 1, quota: requestcountquota }]
---
apiVersion: config.istio.io/v1alpha2
kind: QuotaSpecBinding
metadata: { name: request-count, namespace: istio-system }
spec:
  quotaSpecs: [{ name: request-count, namespace: istio-system }]
  services: [{ name: advertisement, namespace: weather }]
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: quota, namespace: istio-system }
spec:
  match: match(request.headers["cookie"], "user=tester") == false
  actions: [{ handler: quotahandler, instances: [requestcountquota] }]
`;

test('memquota (scenario 22): 4 requests per window to advertisement, the 5th RESOURCE_EXHAUSTED; testers exempt', async () => {
  const e = engineWith(QUOTA('1s'));
  const ad = (cookie = '') => bag('frontend', 'advertisement', 'weather', { 'request.headers': { cookie } });
  const five = Array.from({ length: 5 }, () => status(e.check(ad())));
  assert.deepEqual(five, ['0 ', '0 ', '0 ', '0 ', '8 Quota is exhausted for: requestcountquota']);
  // The rule does not match testers: their requests are granted without counting.
  assert.equal(status(e.check(ad('user=tester'))), '0 ');
  // Services the QuotaSpecBinding does not name charge nothing.
  assert.equal(status(e.check(bag('frontend', 'forecast'))), '0 ');
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(status(e.check(ad())), '0 ', 'a new window grants again');
});

test('memquota with validDuration 0 is an allocation quota; a denier grants no quota', () => {
  const e = engineWith(QUOTA('0s'));
  const ad = () => bag('frontend', 'advertisement', 'weather', { 'request.headers': {} });
  assert.deepEqual(Array.from({ length: 5 }, () => status(e.check(ad()))).slice(3), [
    '0 ',
    '8 Quota is exhausted for: requestcountquota',
  ]);
  // The same config with the memquota handler replaced by a denier.
  const denierHandler = `apiVersion: config.istio.io/v1alpha2
kind: handler
metadata: { name: quotahandler, namespace: istio-system }
spec: { compiledAdapter: denier }
`;
  const denied = engineWith(denierHandler + QUOTA('1s').slice(QUOTA('1s').indexOf('---')));
  assert.equal(status(denied.check(ad())), '8 Quota is exhausted for: requestcountquota');
});

test('a handler whose config is unchanged survives other config changes (quota counters carry on)', () => {
  const store = new ConfigStore({ debounceMs: 0, maxDelayMs: 0 });
  const e = engineWith(QUOTA('5s'), store);
  const ad = () => bag('frontend', 'advertisement', 'weather', { 'request.headers': {} });
  assert.deepEqual(
    [1, 2, 3].map(() => status(e.check(ad()))),
    ['0 ', '0 ', '0 '],
  );
  apply(store, DENIER.replace(/advertisement/, 'forecast'));
  assert.deepEqual(
    [4, 5].map(() => status(e.check(ad()))),
    ['0 ', '8 Quota is exhausted for: requestcountquota'],
  );
  // A changed handler is a new one, with fresh counters.
  apply(store, QUOTA('5s').replace('maxAmount: 4', 'maxAmount: 5'));
  assert.equal(status(e.check(ad())), '0 ');
});

test('a rule that breaks (its handler gone) keeps its last good version; deleting the rule removes it', () => {
  const store = new ConfigStore({ debounceMs: 0, maxDelayMs: 0 });
  const e = engineWith(DENIER, store);
  const denied = '7 denycustomerhandler.denier.weather:Not allowed';
  apply(store, DENIER.replace('handler: denycustomerhandler.denier', 'handler: nosuch.denier'));
  assert.equal(status(e.check(bag('frontend', 'advertisement'))), denied);
  assert.ok(logs.some((l) => l.includes("rule='denycustomer.rule.weather': keeping its last good version")));
  assert.ok(logs.some((l) => l.includes("Handler not found: handler='nosuch.denier'")));
  store.delete([{ group: 'config.istio.io', kind: 'rule', namespace: 'weather', name: 'denycustomer' }]);
  store.flush();
  assert.equal(status(e.check(bag('frontend', 'advertisement'))), '0 ');
  assert.deepEqual([...e.scope()], []);
});
