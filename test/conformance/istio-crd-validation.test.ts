// Istio's own CRD validation cases (istio/api tests/testdata): every document in *-valid.yaml must
// be accepted and every document in *-invalid.yaml rejected, with Istio's key words in the message.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { checkResource } from '../../src/api/validate.js';
import { parseResources } from '../../src/config/loader.js';
import { formatPath } from '../../src/api/schema/dsl.js';
import type { Resource } from '../../src/api/resource.js';

const DIR = resolve(import.meta.dirname, '../../../shared/testdata/istio-api-crd-validation');

// Words of Kubernetes' generic phrasing that carry no rule of their own.
const GENERIC = new Set([
  'invalid',
  'value',
  'in',
  'body',
  'should',
  'must',
  'be',
  'object',
  'integer',
  'the',
]);

/** Key words of an `_err` that our message (path and text) must contain, case-insensitively. */
export function keyWords(err: string): string[] {
  return err
    .toLowerCase()
    .split(/[^a-z0-9_/.\-[\]]+/)
    .map((w) => w.replace(/^[.]+|[.]+$/g, ''))
    .filter((w) => w.length > 0 && !GENERIC.has(w));
}

function errorsOf(res: Resource): string[] {
  return checkResource(res)
    .filter((i) => i.severity === 'error')
    .map((i) => `${formatPath(i.path)}: ${i.message}`);
}

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  const valid = file.endsWith('-valid.yaml');
  const { resources, diagnostics } = parseResources(readFileSync(join(DIR, file), 'utf8'), file);
  describe(file, () => {
    test('parses', () => assert.deepEqual(diagnostics, []));
    for (const { resource, source } of resources) {
      const { _err: expected, ...doc } = resource as Resource & { _err?: string };
      const name = `${resource.metadata?.name} (line ${source.line})`;
      test(name, () => {
        const errors = errorsOf(doc as Resource);
        if (valid) {
          assert.deepEqual(errors, [], `${name} must be accepted`);
          return;
        }
        assert.ok(errors.length > 0, `${name} must be rejected (Istio: ${expected})`);
        if (expected) {
          const text = errors.join('\n').toLowerCase();
          const missing = keyWords(expected).filter((w) => !text.includes(w));
          assert.deepEqual(missing, [], `Istio says "${expected}"; we said:\n${errors.join('\n')}`);
        }
      });
    }
  });
}
