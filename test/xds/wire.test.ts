// The lazy SotW request reader against protobufjs' full decode: same fields, the node and names
// decoded on demand, and a names key that is equal exactly when the names bytes are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage } from '../../src/xds/proto/root.js';
import { decodeSotwRequest } from '../../src/xds/server/wire.js';
import { TypeUrl } from '../../src/xds/type-urls.js';

const REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
const encode = (names: string[], extra: object = {}): Buffer =>
  Buffer.from(
    encodeMessage(REQUEST, {
      version_info: 'v1',
      node: {
        id: 'sidecar~10.0.0.1~a.default~default.svc.cluster.local',
        metadata: { fields: { NAMESPACE: { stringValue: 'default' } } },
      },
      resource_names: names,
      type_url: TypeUrl.ClusterLoadAssignment,
      response_nonce: 'n-1',
      ...extra,
    }),
  );

test('fields, node and names read as the full decode reads them', () => {
  const bytes = encode(['outbound|80||a', 'outbound|80||b'], { error_detail: { code: 3, message: 'bad' } });
  const full = decodeMessage<Record<string, unknown>>(REQUEST, bytes);
  const lazy = decodeSotwRequest(bytes);
  assert.equal(lazy.version_info, full.version_info);
  assert.equal(lazy.type_url, full.type_url);
  assert.equal(lazy.response_nonce, full.response_nonce);
  assert.deepEqual(lazy.error_detail, full.error_detail);
  assert.deepEqual(lazy.node, full.node);
  assert.deepEqual(lazy.resource_names, full.resource_names);
  const empty = decodeSotwRequest(Buffer.from(encodeMessage(REQUEST, { type_url: TypeUrl.Cluster })));
  assert.deepEqual([empty.resource_names, empty.node, empty.response_nonce], [[], undefined, undefined]);
});

test('the names key is equal exactly when the names bytes are', () => {
  const key = (names: string[], extra: object = {}) => decodeSotwRequest(encode(names, extra)).namesKey;
  const ab = key(['a', 'b']);
  assert.ok(ab);
  assert.equal(key(['a', 'b'], { response_nonce: 'n-2', version_info: 'v2' }), ab);
  assert.notEqual(key(['a', 'b', 'c']), ab);
  assert.notEqual(key(['b', 'a']), ab);
  assert.notEqual(key(['ab']), ab);
  assert.equal(key([]), key([], { response_nonce: 'other' }));
  assert.notEqual(key([]), ab);
});

test('names split by other fields have no key and are still read', () => {
  const w = protobuf.Writer.create();
  w.uint32((3 << 3) | 2).string('a');
  w.uint32((4 << 3) | 2).string(TypeUrl.Cluster);
  w.uint32((3 << 3) | 2).string('b');
  const req = decodeSotwRequest(Buffer.from(w.finish()));
  assert.equal(req.namesKey, undefined);
  assert.deepEqual(req.resource_names, ['a', 'b']);
  assert.equal(req.type_url, TypeUrl.Cluster);
});
