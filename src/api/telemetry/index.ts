// Registers telemetry.istio.io Telemetry (see ../registry.ts).
import { registerKind } from '../registry.js';
import { TelemetrySpec } from './telemetry.js';

export type { Telemetry } from './telemetry.js';

registerKind({
  group: 'telemetry.istio.io',
  kind: 'Telemetry',
  versions: ['v1alpha1', 'v1'],
  plural: 'telemetries',
  aliases: ['telemetry'],
  namespaced: true,
  body: { spec: TelemetrySpec },
});
