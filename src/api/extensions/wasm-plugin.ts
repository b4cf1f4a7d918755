// extensions.istio.io WasmPlugin (v1alpha1): a Wasm module (oci://, http(s)://, file://) inserted
// into the proxy's filter chain, with the CRD's rules and Istio's ValidateWasmPlugin.
import { arr, enumOf, int, obj, str, struct, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { hasControlChars } from '../security/jwks.js';
import { has, targetedSpec, targetingFields, withObjectRule } from '../security/policy-targeting.js';

const SCHEMES = ['http', 'https', 'file', 'oci'];

// Go's url parsing (Istio strictParseURL) refuses spaces and bad escapes, besides control characters.
const UNSAFE = / |%(?![0-9A-Fa-f]{2})/;

/**
 * The module URL's scheme, as Istio reads it: an explicit scheme, or none (an OCI reference such
 * as "ghcr.io/org/filter:1.0") when "http://" + url parses. Undefined when it does not parse.
 */
function urlScheme(url: string): string | undefined {
  if (UNSAFE.test(url) || hasControlChars(url)) return undefined;
  const explicit = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  try {
    new URL(explicit ? url : `http://${url}`);
  } catch {
    return undefined;
  }
  return explicit ?? '';
}

function checkUrl(url: string, path: Path, sink: Sink): void {
  if (url === '') return; // minLength reports it
  const scheme = urlScheme(url);
  if (scheme === undefined || (scheme !== '' && !SCHEMES.includes(scheme)))
    sink.error(
      path,
      `url must have schema one of [${SCHEMES.join(', ')}], ${scheme === undefined ? `failed to parse url ${JSON.stringify(url)}` : `url contains unsupported scheme: ${scheme}`}`,
    );
}

const EnvVar = withObjectRule(
  obj(
    {
      name: str({ minLength: 1, maxLength: 256 }),
      valueFrom: enumOf(['INLINE', 'HOST']),
      value: str({ maxLength: 2048 }),
    },
    { required: ['name'] },
  ),
  (env, path, sink) => {
    if (env.valueFrom === 'HOST' && has(env, 'value'))
      sink.error(path, 'value may only be set when valueFrom is INLINE');
  },
);

// Lists the CRD declares as maps keyed by one field: a key may appear once.
function uniqueBy<K extends string>(key: K) {
  return (items: Partial<Record<K, unknown>>[], path: Path, sink: Sink) => {
    const seen = new Set<unknown>();
    items.forEach((item, i) => {
      const k = item[key];
      if (k === undefined) return;
      if (seen.has(k)) sink.error([...path, i, key], `Duplicate value: {"${key}":${JSON.stringify(k)}}`);
      seen.add(k);
    });
  };
}

const PortSelector = obj({ number: int({ min: 1, max: 65535 }) }, { required: ['number'] });

const TrafficSelector = obj({
  mode: enumOf(['UNDEFINED', 'CLIENT', 'SERVER', 'CLIENT_AND_SERVER']),
  ports: arr(PortSelector).refine(uniqueBy('number')),
});

export const WasmPluginSpec = targetedSpec(
  obj(
    {
      ...targetingFields,
      url: str({ minLength: 1 }).refine(checkUrl),
      sha256: str({ pattern: /^$|^[a-f0-9]{64}$/, patternHint: '(^$|^[a-f0-9]{64}$)' }),
      imagePullPolicy: enumOf(['UNSPECIFIED_POLICY', 'IfNotPresent', 'Always']),
      imagePullSecret: str({ minLength: 1, maxLength: 253 }),
      verificationKey: str(),
      pluginConfig: struct(),
      pluginName: str({ minLength: 1, maxLength: 256 }),
      phase: enumOf(['UNSPECIFIED_PHASE', 'AUTHN', 'AUTHZ', 'STATS']),
      priority: int({ min: -2147483648, max: 2147483647 }),
      failStrategy: enumOf(['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD']),
      vmConfig: obj({ env: arr(EnvVar, { maxItems: 256 }).refine(uniqueBy('name')) }),
      match: arr(TrafficSelector),
      type: enumOf(['UNSPECIFIED_PLUGIN_TYPE', 'HTTP', 'NETWORK']),
    },
    { required: ['url'] },
  ),
);
export type WasmPlugin = Infer<typeof WasmPluginSpec>;
