// Istio's own CRD validation cases for the security, telemetry and extension kinds, and the
// AuthorizationPolicy inputs of Istio's RBAC builder goldens: valid documents must be accepted,
// invalid ones rejected with a message that says what Istio's says.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readdirSync } from 'node:fs';
import { parseResources } from '../../config/loader.js';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { validateLoaded } from '../validate.js';
import type { Loaded } from '../resource.js';

const TESTDATA = resolve(process.cwd(), '../shared/testdata');
const CRD_CASES = join(TESTDATA, 'istio-api-crd-validation');

// Where our wording differs from the Kubernetes API server's, what ours says instead.
const OWN_WORDING: Record<string, string> = {};

const normalize = (s: string): string =>
  s
    .toLowerCase()
    .replace(/ in body/g, '')
    .replace(/[:'"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

async function load(file: string): Promise<{ loaded: Loaded; expected?: string }[]> {
  const parsed = parseResources(await readFile(file, 'utf8'), file);
  assert.deepEqual(parsed.diagnostics, [], `${file} parses`);
  return parsed.resources.map((loaded) => {
    const { _err, ...resource } = loaded.resource as typeof loaded.resource & { _err?: string };
    return { loaded: { ...loaded, resource }, ...(_err === undefined ? {} : { expected: _err }) };
  });
}

const errorsOf = (l: Loaded) => validateLoaded(l).filter((d) => d.severity === 'error');

for (const kind of ['authz', 'peerauth', 'reqauth', 'telemetry', 'wasm']) {
  test(`${kind}-valid.yaml: every document is accepted`, async () => {
    const docs = await load(join(CRD_CASES, `${kind}-valid.yaml`));
    assert.ok(docs.length > 0);
    for (const { loaded } of docs)
      assert.deepEqual(errorsOf(loaded).map(formatDiagnostic), [], loaded.resource.metadata.name);
  });

  test(`${kind}-invalid.yaml: every document is rejected with Istio's reason`, async () => {
    const docs = await load(join(CRD_CASES, `${kind}-invalid.yaml`));
    assert.ok(docs.length > 0);
    for (const { loaded, expected } of docs) {
      const name = loaded.resource.metadata?.name ?? '<unnamed>';
      const errors = errorsOf(loaded);
      assert.ok(errors.length > 0, `${name} must be rejected`);
      const want = OWN_WORDING[name] ?? expected;
      assert.ok(want, `${name} names the error it expects`);
      const got = errors.map((d) => `${d.path ?? ''}: ${d.message}`);
      assert.ok(
        got.some((g) => normalize(g).includes(normalize(want))),
        `${name}: expected an error like ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
      );
      assert.ok(
        errors.every((d) => typeof d.line === 'number' && d.line > 0),
        `${name}: errors carry a line`,
      );
    }
  });
}

test('every AuthorizationPolicy input of the RBAC builder goldens validates', async () => {
  const golden = join(TESTDATA, 'istio-authz-rbac-golden');
  const files = ['http', 'tcp'].flatMap((d) =>
    readdirSync(join(golden, d))
      .filter((f) => f.endsWith('-in.yaml'))
      .map((f) => join(golden, d, f)),
  );
  assert.ok(files.length >= 20, 'golden inputs found');
  let policies = 0;
  for (const file of files)
    for (const { loaded } of await load(file)) {
      policies++;
      assert.deepEqual(errorsOf(loaded).map(formatDiagnostic), [], file);
    }
  assert.ok(policies >= files.length);
});
