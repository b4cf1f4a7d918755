// Istio's Bookinfo networking samples (VirtualService, DestinationRule, Gateway, ServiceEntry):
// real-world files users copy, so every one must validate without errors.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { validateLoaded } from '../../src/api/validate.js';
import { loadPaths } from '../../src/config/loader.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const DIR = resolve(import.meta.dirname, '../../../shared/testdata/istio-bookinfo-networking');

for (const file of readdirSync(DIR).sort()) {
  test(file, async () => {
    const { resources, diagnostics } = await loadPaths([join(DIR, file)]);
    assert.ok(resources.length > 0, `${file} holds resources`);
    const errors = [...diagnostics, ...resources.flatMap(validateLoaded)].filter(
      (d) => d.severity === 'error',
    );
    assert.deepEqual(errors.map(formatDiagnostic), []);
  });
}
