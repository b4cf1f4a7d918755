import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_VOCABULARY, extendVocabulary } from '../attributes.js';
import { compileMixerExpression } from './compile.js';

function run(expr: string, attrs: Record<string, unknown> = {}): unknown {
  const c = compileMixerExpression(expr);
  assert.ok(c.ok, c.ok ? '' : c.error);
  return c.evaluate(attrs);
}

test('scenario 22: testers are exempt from the rate limit', () => {
  const e = 'match(request.headers["cookie"], "user=tester") == false';
  assert.equal(run(e, { 'request.headers': { cookie: 'user=tester' } }), false);
  assert.equal(run(e, { 'request.headers': { cookie: 'user=alice' } }), true);
  // A missing header reads as "" in Mixer, so the rule still applies.
  assert.equal(run(e, { 'request.headers': {} }), true);
});

test('the | operator falls back only when the left side is absent', () => {
  const e = 'source.labels["app"] | "unknown"';
  assert.equal(run(e, {}), 'unknown');
  assert.equal(run(e, { 'source.labels': {} }), 'unknown');
  assert.equal(run(e, { 'source.labels': { app: 'frontend' } }), 'frontend');
  assert.equal(run(e, { 'source.labels': { app: '' } }), '');
  assert.equal(run('request.size | 0', { 'request.size': 12 }), 12);
  assert.equal(
    run('source.workload.name | destination.workload.name | "none"', { 'destination.workload.name': 'd' }),
    'd',
  );
  assert.deepEqual(run('source.labels | emptyStringMap()', {}), {});
});

test('attribute comparisons, conditional and functions evaluate like Mixer', () => {
  assert.equal(
    run('destination.service.name == "advertisement"', { 'destination.service.name': 'advertisement' }),
    true,
  );
  assert.equal(
    run('conditional((context.reporter.kind | "inbound") == "outbound", "source", "destination")', {
      'context.reporter.kind': 'outbound',
    }),
    'source',
  );
  assert.equal(run('source.ip == ip("10.0.0.1")', { 'source.ip': '::ffff:10.0.0.1' }), true);
  assert.equal(
    run('request.path.startsWith("/ad") && !request.path.endsWith(".png")', { 'request.path': '/ad/1' }),
    true,
  );
  assert.equal(run('"^/a[a-z]+$".matches(request.path)', { 'request.path': '/ad' }), true);
  assert.equal(
    run('match(source.workload.name, "forecast*")', { 'source.workload.name': 'forecast-v2' }),
    true,
  );
  assert.equal(
    run('match(destination.service.host, "*.svc.cluster.local")', {
      'destination.service.host': 'a.b.svc.cluster.local',
    }),
    true,
  );
  assert.equal(
    run('response.code >= 500 || response.duration > "1s"', {
      'response.code': 200,
      'response.duration': 1500,
    }),
    true,
  );
  assert.equal(run('dnsName("Foo.Example.com.") == dnsName("foo.example.com")'), true);
  assert.equal(run('toLower(request.method) == "get"', { 'request.method': 'GET' }), true);
  assert.ok(run('context.time | timestamp("2017-01-01T00:00:00Z")') instanceof Date);
  assert.equal(run('response.duration | "0ms"'), 0);
});

test('types follow Mixer: numbers INT64, quoted durations DURATION, true/false any case', () => {
  const type = (e: string): string | undefined => {
    const c = compileMixerExpression(e);
    return c.ok ? c.type : c.error;
  };
  assert.equal(type('1'), 'INT64');
  assert.equal(type('1.5'), 'DOUBLE');
  assert.equal(type('"1"'), 'STRING');
  assert.equal(type('"10ms"'), 'DURATION');
  assert.equal(type('TRUE'), 'BOOL');
  assert.equal(type('request.headers'), 'STRING_MAP');
  assert.equal(type('source.ip | ip("0.0.0.0")'), 'IP_ADDRESS');
});

test('errors name the attribute, function or type that is wrong', () => {
  const err = (e: string, t?: 'BOOL'): string => {
    const c = compileMixerExpression(e, t);
    assert.equal(c.ok, false, `${e} should not compile`);
    return c.ok ? '' : c.error;
  };
  assert.equal(
    err('request.header["x"] == "y"'),
    'unknown attribute request.header (did you mean "request.headers"?)',
  );
  assert.equal(
    err('source.lables["app"] | ""'),
    'unknown attribute source.lables (did you mean "source.labels"?)',
  );
  assert.equal(
    err('destination.service.name', 'BOOL'),
    "expression 'destination.service.name' evaluated to type STRING, expected type BOOL",
  );
  assert.match(err('response.code == "200"'), /no such overload: INT64 == STRING/);
  assert.match(err('source.labels["app"] | 1'), /STRING|INT64/);
  assert.equal(err('lower(request.path)'), 'unknown function: lower');
  assert.equal(err('request.path.contains("x")'), 'unknown function: contains');
  assert.match(err('response.code - 1'), /unknown function: SUB/);
  assert.match(err('request.path == '), /^unable to parse expression/);
  assert.match(err('"unterminated'), /string literal not terminated/);
  assert.match(err(''), /empty expression/);
});

test('evaluation reports a missing attribute and bad conversions', () => {
  const c = compileMixerExpression('destination.service.name == "advertisement"');
  assert.ok(c.ok);
  assert.deepEqual(c.attributes, ['destination.service.name']);
  assert.throws(() => c.evaluate({}), /lookup failed: 'destination.service.name'/);
  const ip = compileMixerExpression('ip("10.1.12") == source.ip');
  assert.ok(ip.ok);
  assert.throws(() => ip.evaluate({ 'source.ip': '10.0.0.1' }), /could not convert 10.1.12 to IP_ADDRESS/);
});

test('an attributemanifest extends the vocabulary', () => {
  const vocab = extendVocabulary(DEFAULT_VOCABULARY, [['custom.user_tier', 'STRING']]);
  const c = compileMixerExpression('custom.user_tier == "gold"', 'BOOL', vocab);
  assert.ok(c.ok);
  assert.equal(c.evaluate({ 'custom.user_tier': 'gold' }), true);
  assert.equal(compileMixerExpression('custom.user_tier == "gold"').ok, false);
});
