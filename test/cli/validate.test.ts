import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { weft } from './run.js';

const BAD_VS = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: forecast-route
  namespace: weather
spec:
  hosts: [forecast]
  http:
  - route:
    - destination: {host: forecast}
      wieght: 100
`;

const MISSING_GW = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: frontend-route, namespace: weather}
spec:
  hosts: ["*"]
  gateways: [no-such-gateway]
  http: [{route: [{destination: {host: frontend.weather.svc.cluster.local}}]}]
`;

test('weft validate: the weather sample is valid (exit 0)', async () => {
  const r = await weft(['validate', '-f', 'samples/weather/']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✔ \d+ resources in \d+ files: valid/);
});

test('weft validate: an invalid file gives file:line, resource, field path and exit 1; -o json; stdin', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
  const file = join(dir, 'vs.yaml');
  await writeFile(file, BAD_VS);
  const r = await weft(['validate', '-f', file, '-f', 'samples/weather/networking/gateway.yaml']);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    new RegExp(
      `^${file}:11: VirtualService weather/forecast-route: spec\\.http\\[0\\]\\.route\\[0\\]\\.wieght: unknown field "wieght" \\(did you mean "weight"\\?\\)$`,
      'm',
    ),
  );
  assert.match(r.stdout, /✘ 2 resources in 2 files: 1 error/);

  const j = await weft(['validate', '-o', 'json', '-f', '-'], BAD_VS);
  assert.equal(j.code, 1);
  const out = JSON.parse(j.stdout) as {
    valid: boolean;
    errors: number;
    diagnostics: { file: string; line: number; path: string }[];
  };
  assert.equal(out.valid, false);
  assert.equal(out.errors, 1);
  assert.deepEqual(
    [out.diagnostics[0]!.file, out.diagnostics[0]!.line, out.diagnostics[0]!.path],
    ['<stdin>', 11, 'spec.http[0].route[0].wieght'],
  );
});

test('weft validate: usage errors exit 2', async () => {
  const [none, unknown, badOutput] = await Promise.all([
    weft(['validate']),
    weft(['validate', '-f', 'x.yaml', '--frobnicate']),
    weft(['validate', '-f', 'x.yaml', '-o', 'xml']),
  ]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /required option '-f, --filename <path>' not specified/);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--frobnicate'/);
  assert.equal(badOutput.code, 2);
});

test('weft analyze: Istio codes and wording, istioctl layout, exit 1 on errors; -o json', async () => {
  const clean = await weft(['analyze', '-f', 'samples/weather/']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /✔ No validation issues found when analyzing/);

  const r = await weft(['analyze', '-f', '-'], MISSING_GW);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^Error \[IST0101\] \(VirtualService weather\/frontend-route <stdin>:6\) Referenced gateway not found: "no-such-gateway"$/m,
  );
  assert.match(r.stderr, /Error: Analyzers found issues/);

  const j = await weft(['analyze', '-o', 'json', '-f', '-'], MISSING_GW);
  const msgs = JSON.parse(j.stdout) as {
    code: string;
    message: string;
    level: string;
    origin: string;
    reference: string;
    documentationUrl: string;
  }[];
  const gw = msgs.find((m) => m.message.includes('gateway'))!;
  assert.deepEqual(
    [gw.code, gw.level, gw.origin, gw.reference, gw.documentationUrl],
    [
      'IST0101',
      'Error',
      'VirtualService weather/frontend-route',
      '<stdin>:6',
      'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
    ],
  );
});
