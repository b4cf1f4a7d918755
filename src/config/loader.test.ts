import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPaths, parseResources } from './loader.js';

test('multi-document YAML keeps each resource line and field lines', () => {
  const text =
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n';
  const r = parseResources(text, 'x.yaml');
  assert.equal(r.resources.length, 2);
  assert.equal(r.resources[1]!.source.line, 8);
  assert.equal(r.resources[1]!.source.locate?.(['metadata', 'name']), 11);
});

test('kind: List is flattened and syntax errors name file and line', () => {
  const list = parseResources(
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'A' }, { kind: 'B' }] }),
    'l.json',
  );
  assert.deepEqual(
    list.resources.map((r) => r.resource.kind),
    ['A', 'B'],
  );
  const bad = parseResources('a: 1\nb: [\n', 'bad.yaml');
  assert.equal(bad.resources.length, 0);
  assert.equal(bad.diagnostics[0]!.file, 'bad.yaml');
  assert.match(bad.diagnostics[0]!.message, /YAML syntax error/);
  const dup = parseResources('a: 1\na: 2\n', 'dup.yaml');
  assert.match(dup.diagnostics[0]!.message, /YAML syntax error/);
});

test('directories are read recursively, stdin with "-", missing paths reported', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-load-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'a.yaml'), 'kind: A\n');
  await writeFile(join(dir, 'sub', 'b.json'), '{"kind":"B"}');
  await writeFile(join(dir, 'notes.txt'), 'ignored');
  const r = await loadPaths([dir, '-', join(dir, 'missing.yaml')], async () => 'kind: C\n');
  assert.deepEqual(
    r.resources.map((x) => x.resource.kind),
    ['A', 'B', 'C'],
  );
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0]!.message, /ENOENT/);
});

test('IPv6 addresses in flow sequences read as Kubernetes reads them', () => {
  const r = parseResources('spec:\n  addresses: [1.2.3.4, 2001:db8::, "fe80::1"]\n  m: {a: 1}\n', 'v6.yaml');
  const spec = r.resources[0]!.resource.spec as { addresses: string[]; m: object };
  assert.deepEqual(spec.addresses, ['1.2.3.4', '2001:db8::', 'fe80::1']);
  assert.deepEqual(spec.m, { a: 1 });
});
