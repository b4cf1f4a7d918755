// Registers extensions.istio.io WasmPlugin (see ../registry.ts).
import { registerKind } from '../registry.js';
import { WasmPluginSpec } from './wasm-plugin.js';

export type { WasmPlugin } from './wasm-plugin.js';

registerKind({
  group: 'extensions.istio.io',
  kind: 'WasmPlugin',
  versions: ['v1alpha1'],
  plural: 'wasmplugins',
  aliases: ['wasmplugin'],
  namespaced: true,
  body: { spec: WasmPluginSpec },
  required: ['spec'],
});
