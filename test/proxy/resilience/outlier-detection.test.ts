// Cluster outlier_detection (scenario 21) as Istio sends it: consecutiveErrors 2 → consecutive
// gateway failures 2 enforced, consecutive 5xx not enforced. Five hosts answering 504 → two
// ejected (max_ejection_percent 40), shown as failed_outlier_check; hosts answering 500 stay in;
// with consecutive5xxErrors they are ejected. Ejection time and its back-off run on a fake clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseOutlierDetection } from '../../../src/proxy/upstream/outlier/config.js';
import { OutlierDetector } from '../../../src/proxy/upstream/outlier/detector.js';
import { HealthFlag, Host } from '../../../src/proxy/upstream/host.js';
import { StatsStore } from '../../../src/proxy/stats/store.js';
import { adminGet, request, startProxy, staticCluster, stat, type Running } from '../helpers.js';
import { bootstrap, countingUpstream, tempLog, type CountingUpstream } from './fixtures.js';

const ISTIO_CONSECUTIVE_ERRORS = `
outlier_detection:
  consecutive_gateway_failure: 2
  enforcing_consecutive_gateway_failure: 100
  enforcing_consecutive_5xx: 0
  interval: 10s
  base_ejection_time: 120s
  max_ejection_percent: 40
  enforcing_success_rate: 0
common_lb_config: {healthy_panic_threshold: {value: 0}}`;

const ISTIO_CONSECUTIVE_5XX = `
outlier_detection:
  consecutive_5xx: 2
  enforcing_consecutive_5xx: 100
  interval: 10s
  base_ejection_time: 120s
  max_ejection_percent: 40
  enforcing_success_rate: 0`;

describe('outlier detection', () => {
  const ups: CountingUpstream[] = [];
  let px: Running;
  let port: number;
  before(async () => {
    for (let i = 0; i < 5; i++)
      ups.push(
        await countingUpstream((req, res) => {
          res.writeHead(Number(/^\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200));
          res.end();
        }),
      );
    const ports = ups.map((u) => u.port);
    px = await startProxy(
      bootstrap({
        log: tempLog(),
        routes: `
virtual_hosts:
- {name: gw, domains: [gw], routes: [{match: {prefix: /}, route: {cluster: gw}}]}
- {name: ise, domains: [ise], routes: [{match: {prefix: /}, route: {cluster: ise}}]}
- {name: five, domains: [five], routes: [{match: {prefix: /}, route: {cluster: five}}]}`,
        clusters:
          staticCluster('gw', ports, ISTIO_CONSECUTIVE_ERRORS) +
          staticCluster('ise', ports, ISTIO_CONSECUTIVE_ERRORS) +
          staticCluster('five', ports, ISTIO_CONSECUTIVE_5XX),
      }),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    for (const u of ups) await u.close();
  });

  const hit = async (host: string, path: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await request(port, path, { headers: { host } });
  };

  it('every call 504: two of five hosts ejected (40%), failed_outlier_check in /clusters', async () => {
    await hit('gw', '/504', 20);
    assert.equal(await stat(px.admin, 'cluster.gw.outlier_detection.ejections_active'), 2);
    assert.equal(await stat(px.admin, 'cluster.gw.outlier_detection.ejections_enforced_total'), 2);
    assert.equal(
      await stat(px.admin, 'cluster.gw.outlier_detection.ejections_enforced_consecutive_gateway_failure'),
      2,
    );
    assert.ok((await stat(px.admin, 'cluster.gw.outlier_detection.ejections_overflow'))! > 0);
    const text = (await adminGet(px.admin, '/clusters')).body;
    assert.equal(text.match(/^gw::[^:]+:\d+::health_flags::\/failed_outlier_check$/gm)?.length, 2);
  });

  it('500s under consecutiveErrors (gateway failures only): detected as 5xx but never ejected', async () => {
    await hit('ise', '/500', 30);
    assert.equal(await stat(px.admin, 'cluster.ise.outlier_detection.ejections_active'), 0);
    assert.ok(
      (await stat(px.admin, 'cluster.ise.outlier_detection.ejections_detected_consecutive_5xx'))! > 0,
    );
  });

  it('500s under consecutive5xxErrors 2: ejected (up to 40%)', async () => {
    await hit('five', '/500', 20);
    assert.equal(await stat(px.admin, 'cluster.five.outlier_detection.ejections_active'), 2);
    assert.equal(
      await stat(px.admin, 'cluster.five.outlier_detection.ejections_enforced_consecutive_5xx'),
      2,
    );
  });
});

describe('outlier detector: success rate and failure percentage', () => {
  function run(extra: object, failuresOf: (i: number) => number): Host[] {
    const hosts = [1, 2, 3, 4, 5].map((i) => new Host(`10.0.1.${i}`, 80));
    const cluster = {
      hostSets: [{ priority: 0, hosts, localityWeights: new Map() }],
      scope: new StatsStore().scope('cluster.sr'),
      refreshLb: () => undefined,
    };
    const d = new OutlierDetector(
      parseOutlierDetection({
        consecutive_5xx: { value: 1000 },
        success_rate_request_volume: { value: 10 },
        failure_percentage_request_volume: { value: 10 },
        max_ejection_percent: { value: 100 },
        ...extra,
      }),
      cluster,
      () => 0,
      () => 0,
    );
    hosts.forEach((host, i) => {
      for (let n = 0; n < 10; n++)
        d.onRequestOutcome({ host, status: n < failuresOf(i) ? 500 : 200, timedOut: false });
    });
    d.onInterval();
    return hosts.filter((h) => !h.healthy);
  }

  it('a host far below the mean success rate is ejected (mean − 1.9·stdev)', () => {
    const ejected = run({}, (i) => (i === 4 ? 5 : 0));
    assert.deepEqual(
      ejected.map((h) => h.address),
      ['10.0.1.5'],
    );
  });

  it('too few hosts with enough requests: no success-rate verdict', () => {
    assert.deepEqual(
      run({ success_rate_minimum_hosts: { value: 6 } }, (i) => (i === 4 ? 5 : 0)),
      [],
    );
  });

  it('failure percentage: enforced only when enforcing_failure_percentage is set', () => {
    const fp = { enforcing_success_rate: { value: 0 }, failure_percentage_threshold: { value: 80 } };
    assert.deepEqual(
      run(fp, (i) => (i === 0 ? 9 : 0)),
      [],
    );
    const ejected = run({ ...fp, enforcing_failure_percentage: { value: 100 } }, (i) => (i === 0 ? 9 : 0));
    assert.deepEqual(
      ejected.map((h) => h.address),
      ['10.0.1.1'],
    );
  });
});

describe('outlier detector timing (fake clock)', () => {
  function setup(extra: object = {}) {
    let now = 0;
    const hosts = [new Host('10.0.0.1', 80), new Host('10.0.0.2', 80)];
    let refreshed = 0;
    const cluster = {
      hostSets: [{ priority: 0, hosts, localityWeights: new Map() }],
      scope: new StatsStore().scope('cluster.t'),
      refreshLb: () => void refreshed++,
    };
    const settings = parseOutlierDetection({
      consecutive_5xx: { value: 2 },
      base_ejection_time: { seconds: 10 },
      max_ejection_percent: { value: 100 },
      ...extra,
    });
    const d = new OutlierDetector(
      settings,
      cluster,
      () => now,
      () => 0,
    );
    const fail = (h: Host) => d.onRequestOutcome({ host: h, status: 500, timedOut: false });
    return { d, hosts, fail, tick: (t: number) => ((now = t), d.onInterval()), refreshes: () => refreshed };
  }

  it('ejects on the threshold, returns after base_ejection_time × ejections', () => {
    const { hosts, fail, tick, refreshes } = setup();
    const h = hosts[0]!;
    fail(h);
    assert.equal(h.healthFlags, 0);
    fail(h);
    assert.equal(h.healthFlags & HealthFlag.FAILED_OUTLIER_CHECK, HealthFlag.FAILED_OUTLIER_CHECK);
    assert.equal(refreshes(), 1);
    tick(9_999);
    assert.equal(h.healthy, false);
    tick(10_000);
    assert.equal(h.healthy, true);
    // Ejected again right away: twice as long this time.
    fail(h);
    fail(h);
    tick(29_999);
    assert.equal(h.healthy, false);
    tick(30_000);
    assert.equal(h.healthy, true);
  });

  it('a success resets the streak; local-origin failures count as 503 unless split', () => {
    const { hosts, d, fail } = setup();
    const h = hosts[1]!;
    fail(h);
    d.onRequestOutcome({ host: h, status: 200, timedOut: false });
    fail(h);
    assert.equal(h.healthy, true);
    d.onRequestOutcome({ host: h, status: undefined, reset: 'connection failure', timedOut: false });
    assert.equal(h.healthy, false);
  });

  it('split_external_local_origin_errors: connect failures use consecutive_local_origin_failure', () => {
    const { hosts, d } = setup({
      split_external_local_origin_errors: true,
      consecutive_local_origin_failure: { value: 3 },
    });
    const h = hosts[0]!;
    const cf = () =>
      d.onRequestOutcome({ host: h, status: undefined, reset: 'connection failure', timedOut: false });
    cf();
    cf();
    assert.equal(h.healthy, true);
    cf();
    assert.equal(h.healthy, false);
  });
});
