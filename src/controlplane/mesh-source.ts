// The mesh config the control plane serves: Istio's defaults, the embedding's, the --mesh file,
// then the `mesh` key of the istio ConfigMap, which `weft apply` changes at runtime. The store
// refuses an invalid ConfigMap; should one load badly anyway, the last good config keeps serving.
// Deleting the ConfigMap goes back to the file's config.
import { MESH_CONFIGMAP, meshConfigText } from '../api/mesh-configmap.js';
import { loadMeshConfig, type MeshConfig } from '../api/meshconfig.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import type { ConfigStoreReader } from '../config/store-types.js';
import type { Logger } from '../xds/server/discovery-server.js';

const KEY = { group: '', kind: 'ConfigMap', namespace: MESH_CONFIGMAP.namespace, name: MESH_CONFIGMAP.name };

export class MeshSource {
  private current: MeshConfig;
  private text: string | undefined;
  private readonly off: () => void;

  /**
   * Watch the store before anything that pushes on its events does, so that a push caused by
   * the ConfigMap already sees the new mesh config.
   */
  constructor(
    private readonly base: MeshConfig,
    private readonly store: ConfigStoreReader,
    private readonly log: Logger,
  ) {
    this.current = base;
    this.reload();
    this.off = store.watch((events) => {
      if (events.some((e) => e.config.resource.kind === 'ConfigMap')) this.reload();
    });
  }

  get mesh(): MeshConfig {
    return this.current;
  }

  close(): void {
    this.off();
  }

  private reload(): void {
    const stored = this.store.get(KEY);
    const text = stored && meshConfigText(stored.resource);
    if (text === this.text) return;
    this.text = text;
    if (text === undefined) {
      this.current = this.base;
      this.log('info', 'mesh config: ConfigMap istio-system/istio gone, serving the base mesh config');
      return;
    }
    const where = `ConfigMap ${MESH_CONFIGMAP.namespace}/${MESH_CONFIGMAP.name} data.${MESH_CONFIGMAP.key}`;
    const r = loadMeshConfig(
      text,
      stored?.source?.file ? `${stored.source.file} (${where})` : where,
      this.base,
    );
    if (!r.ok) {
      this.log(
        'error',
        `mesh config rejected, the last good one keeps serving:\n${r.errors.map(formatDiagnostic).join('\n')}`,
      );
      return;
    }
    for (const w of r.warnings) this.log('warn', formatDiagnostic(w));
    this.current = r.config;
    this.log('info', `mesh config: loaded from ${where}`);
  }
}
