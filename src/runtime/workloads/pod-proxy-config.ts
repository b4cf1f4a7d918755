// A pod's proxy config as Istio's injector resolves it: the mesh's defaultConfig overlaid with the
// pod's `proxy.istio.io/config` annotation (YAML or JSON of the same ProxyConfig fields), maps such
// as proxyMetadata merged key by key. proxyMetadata becomes the agent's environment.
import { parse } from 'yaml';
import { ProxyConfigSchema, type ProxyConfigValues } from '../../api/meshconfig.js';
import { formatPath, Sink } from '../../api/schema/dsl.js';

export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/** Throws, naming the annotation and the field, when the annotation is not a valid ProxyConfig. */
export function podProxyConfig(
  meshDefault: ProxyConfigValues,
  annotations: Readonly<Record<string, string>>,
): ProxyConfigValues {
  const text = annotations[PROXY_CONFIG_ANNOTATION];
  if (text === undefined) return meshDefault;
  let value: unknown;
  try {
    value = parse(text) ?? {};
  } catch (e) {
    throw new Error(`annotation ${PROXY_CONFIG_ANNOTATION}: ${(e as Error).message.split('\n')[0]}`, {
      cause: e,
    });
  }
  const sink = new Sink();
  ProxyConfigSchema.check(value, [], sink);
  const errors = sink.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0)
    throw new Error(
      errors
        .map(
          (i) =>
            `annotation ${PROXY_CONFIG_ANNOTATION}: ${i.path.length ? `${formatPath(i.path)}: ` : ''}${i.message}`,
        )
        .join('; '),
    );
  const own = value as ProxyConfigValues;
  return {
    ...meshDefault,
    ...own,
    ...(meshDefault.proxyMetadata && own.proxyMetadata
      ? { proxyMetadata: { ...meshDefault.proxyMetadata, ...own.proxyMetadata } }
      : {}),
  };
}
