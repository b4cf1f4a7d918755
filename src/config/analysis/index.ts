// `weft analyze`: validation (as IST0106/IST0133) plus Istio's cross-resource analyzers, one per
// file in this folder, over the resources given.
import type { Loaded } from '../../api/resource.js';
import { validateLoaded } from '../../api/validate.js';
import type { Diagnostic } from '../diagnostics.js';
import { AnalysisContext, type AnalysisMessage, type Analyzer } from './context.js';
import { drMultiple } from './dr-multiple.js';
import { drSubsetPods } from './dr-subset-pods.js';
import { gatewaySelector } from './gateway-selector.js';
import { SchemaValidationError, SchemaWarning } from './messages.js';
import { mixerRefs } from './mixer-references.js';
import { mtlsConflict } from './mtls-conflict.js';
import { namespaceInjection } from './namespace-injection.js';
import { portName } from './port-name.js';
import { vsDestinationHosts } from './vs-destination-hosts.js';
import { vsGateways } from './vs-gateways.js';
import { vsMeshHosts } from './vs-mesh-hosts.js';
import { vsSubsets } from './vs-subsets.js';

export type { AnalysisMessage } from './context.js';

export const ANALYZERS: readonly Analyzer[] = [
  drMultiple,
  drSubsetPods,
  gatewaySelector,
  mixerRefs,
  mtlsConflict,
  namespaceInjection,
  portName,
  vsDestinationHosts,
  vsGateways,
  vsMeshHosts,
  vsSubsets,
];

function schemaMessage(d: Diagnostic): AnalysisMessage {
  const type = d.severity === 'error' ? SchemaValidationError : SchemaWarning;
  return {
    code: type.code,
    name: type.name,
    level: type.level,
    message: type.render(d.path ? `${d.path}: ${d.message}` : d.message),
    ...(d.resource ? { origin: d.resource } : {}),
    ...(d.file ? { file: d.file } : {}),
    ...(d.line ? { line: d.line } : {}),
  };
}

/**
 * Analyzes resources read from files; `loadDiagnostics` are the loader's (syntax) problems.
 * Resources that fail validation are reported and left out of the cross-resource checks.
 */
export function analyze(
  loaded: readonly Loaded[],
  loadDiagnostics: readonly Diagnostic[] = [],
): AnalysisMessage[] {
  const messages = loadDiagnostics.filter((d) => d.severity !== 'info').map(schemaMessage);
  const valid: Loaded[] = [];
  for (const l of loaded) {
    const ds = validateLoaded(l);
    messages.push(...ds.filter((d) => d.severity !== 'info').map(schemaMessage));
    if (!ds.some((d) => d.severity === 'error')) valid.push(l);
  }
  const ctx = new AnalysisContext(valid);
  for (const a of ANALYZERS) a.analyze(ctx);
  return [...messages, ...ctx.messages];
}
