// WasmPlugin validation, case by case.
import { runCases, type Case } from '../security/validation-cases.test.js';

const wasm = (name: string, spec: unknown, rest: Partial<Case> = {}): Case => ({
  name,
  apiVersion: 'extensions.istio.io/v1alpha1',
  kind: 'WasmPlugin',
  spec,
  ...rest,
});

runCases([
  wasm('oci-reference-without-scheme', { url: 'ghcr.io/istio/basic-auth:1.0', phase: 'AUTHN', priority: 10 }),
  wasm('oci', {
    url: 'oci://ghcr.io/istio/basic-auth:1.0',
    imagePullPolicy: 'Always',
    failStrategy: 'FAIL_OPEN',
    type: 'NETWORK',
    match: [{ mode: 'SERVER', ports: [{ number: 8080 }] }],
    pluginConfig: { nested: { any: ['thing'] } },
  }),
  wasm('no-spec', undefined, { error: { path: 'spec', message: 'Required value' } }),
  wasm('no-url', { phase: 'STATS' }, { error: { path: 'spec.url', message: 'Required value' } }),
  wasm(
    'ftp-url',
    { url: 'ftp://example.com/a.wasm' },
    { error: { path: 'spec.url', message: 'url contains unsupported scheme: ftp' } },
  ),
  wasm(
    'url-with-space',
    { url: 'http://example.com/a b.wasm' },
    { error: { path: 'spec.url', message: 'failed to parse url' } },
  ),
  wasm(
    'sha256-upper-case',
    { url: 'oci://x', sha256: 'A'.repeat(64) },
    { error: { path: 'spec.sha256', message: 'should match' } },
  ),
  wasm(
    'port-zero',
    { url: 'oci://x', match: [{ ports: [{ number: 0 }] }] },
    { error: { path: 'spec.match[0].ports[0].number', message: 'greater than or equal to 1' } },
  ),
  wasm(
    'duplicate-port',
    { url: 'oci://x', match: [{ ports: [{ number: 80 }, { number: 80 }] }] },
    { error: { path: 'spec.match[0].ports[1].number', message: 'Duplicate value' } },
  ),
  wasm(
    'duplicate-env-name',
    {
      url: 'oci://x',
      vmConfig: {
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      },
    },
    { error: { path: 'spec.vmConfig.env[1].name', message: 'Duplicate value: {"name":"A"}' } },
  ),
  wasm(
    'bad-phase',
    { url: 'oci://x', phase: 'AUTHENTICATION' },
    { error: { path: 'spec.phase', message: 'Unsupported value: "AUTHENTICATION"' } },
  ),
  wasm(
    'priority-not-integer',
    { url: 'oci://x', priority: 1.5 },
    { error: { path: 'spec.priority', message: 'must be an integer' } },
  ),
  wasm(
    'bad-target-kind',
    { url: 'oci://x', targetRefs: [{ kind: 'Pod', name: 'p' }] },
    { error: { path: 'spec.targetRefs[0]', message: 'targetRef must be to one of' } },
  ),
]);
