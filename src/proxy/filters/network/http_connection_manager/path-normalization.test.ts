import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRequestPath, type PathNormalization } from './path-normalization.js';

const ISTIO: PathNormalization = {
  normalizePath: true,
  mergeSlashes: true,
  escapedSlashes: 'UNESCAPE_AND_FORWARD',
};

test('dot segments, escaped dots and slashes, doubled slashes all reduce to the path a router sees', () => {
  const cases: [string, string][] = [
    ['/public/../admin', '/admin'],
    ['/public/%2e%2e/admin', '/admin'],
    ['/public/%2E%2E/admin?x=/../y', '/admin?x=/../y'],
    ['//admin', '/admin'],
    ['/public/..%2Fadmin', '/admin'],
    ['/a/./b/../c/', '/a/c/'],
    ['/a\\..\\admin', '/admin'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/%7Euser', '/~user'],
    ['*', '*'],
  ];
  for (const [input, want] of cases)
    assert.deepEqual(normalizeRequestPath(input, ISTIO), { kind: 'forward', path: want }, input);
});

test('malformed escapes are rejected; escaped slashes follow the configured action', () => {
  assert.deepEqual(normalizeRequestPath('/a/%zz', ISTIO), { kind: 'reject' });
  assert.deepEqual(normalizeRequestPath('/a%2Fb', { ...ISTIO, escapedSlashes: 'REJECT_REQUEST' }), {
    kind: 'reject',
  });
  assert.deepEqual(normalizeRequestPath('/a%2Fb', { ...ISTIO, escapedSlashes: 'UNESCAPE_AND_REDIRECT' }), {
    kind: 'redirect',
    path: '/a/b',
  });
  assert.deepEqual(normalizeRequestPath('/a%2Fb', { ...ISTIO, escapedSlashes: 'KEEP_UNCHANGED' }), {
    kind: 'forward',
    path: '/a%2Fb',
  });
  const off = { normalizePath: false, mergeSlashes: false, escapedSlashes: 'KEEP_UNCHANGED' } as const;
  assert.deepEqual(normalizeRequestPath('/public/../admin', off), {
    kind: 'forward',
    path: '/public/../admin',
  });
});
