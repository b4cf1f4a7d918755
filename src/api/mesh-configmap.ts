// Mesh config at runtime, the Istio way: istiod reads the `mesh` key of the ConfigMap `istio` in
// its own namespace (istio-system). Applying that ConfigMap validates the key as MeshConfig, so a
// bad one is refused with the file, line and field of the problem inside `mesh`.
import { parseDocument } from 'yaml';
import { MeshConfigSchema } from './meshconfig.js';
import type { Resource } from './resource.js';
import type { Sink } from './schema/dsl.js';

export const MESH_CONFIGMAP = { namespace: 'istio-system', name: 'istio', key: 'mesh' } as const;

/**
 * The mesh config text when `res` is the istio ConfigMap. A ConfigMap without a namespace counts
 * when named `istio`: its namespace comes from `-n` after validation, and no other ConfigMap is
 * called that with a `mesh` key.
 */
export function meshConfigText(res: Resource): string | undefined {
  if (res.kind !== 'ConfigMap' || res.metadata?.name !== MESH_CONFIGMAP.name) return undefined;
  const ns = res.metadata.namespace;
  if (ns !== undefined && ns !== MESH_CONFIGMAP.namespace) return undefined;
  const text = (res.data as Record<string, unknown> | undefined)?.[MESH_CONFIGMAP.key];
  return typeof text === 'string' ? text : undefined;
}

/** ConfigMap validation hook: the `mesh` key of the istio ConfigMap must be valid MeshConfig. */
export function checkMeshConfigMap(res: Resource, sink: Sink): void {
  const text = meshConfigText(res);
  if (text === undefined) return;
  const at = ['data', MESH_CONFIGMAP.key];
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err)
    return sink.error(
      at,
      `mesh config YAML syntax error (line ${err.linePos?.[0]?.line ?? 1} of the key): ${err.message.split('\n')[0]}`,
    );
  MeshConfigSchema.check(doc.toJS() ?? {}, at, sink);
}
