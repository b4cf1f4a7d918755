// apps/v1 Deployment (also served as apps/v1beta1, apps/v1beta2 and extensions/v1beta1, as
// Istio 1.1-era samples use them): replicas, selector that must match the template's labels.
import { registerKind } from '../registry.js';
import type { Resource } from '../resource.js';
import { bool, enumOf, int, int64, obj, str, type Sink } from '../schema/dsl.js';
import { goMap, intOrString, invalid, LabelSelector, selectorMatches } from './meta.js';
import { PodTemplateSpec } from './pod.js';

const intOrPercent = intOrString(
  int({ min: 0 }),
  str({ pattern: /^\d+%$/, patternHint: 'an integer or a percentage, e.g. "25%"' }),
);

const DeploymentSpec = obj(
  {
    replicas: int({ min: 0 }),
    selector: LabelSelector,
    template: PodTemplateSpec,
    strategy: obj({
      type: enumOf(['RollingUpdate', 'Recreate']),
      rollingUpdate: obj({ maxSurge: intOrPercent, maxUnavailable: intOrPercent }),
    }).refine((s, path, sink) => {
      if (s.type === 'Recreate' && s.rollingUpdate)
        sink.error(
          [...path, 'rollingUpdate'],
          "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        );
    }),
    minReadySeconds: int({ min: 0 }),
    revisionHistoryLimit: int({ min: 0 }),
    progressDeadlineSeconds: int({ min: 1 }),
    paused: bool(),
    rollbackTo: obj({ revision: int64({ min: 0 }) }),
  },
  { required: ['template'] },
);

type Spec = {
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string> }; spec?: { restartPolicy?: string } };
};

function validateDeployment(res: Resource, sink: Sink): void {
  const spec = res.spec as Spec;
  const lbls = spec.template?.metadata?.labels ?? {};
  // apps/v1 made the selector required; older versions default it to the template labels.
  const sel = spec.selector ?? (res.apiVersion === 'apps/v1' ? undefined : { matchLabels: lbls });
  if (!sel) {
    sink.error(['spec', 'selector'], 'Required value');
    return;
  }
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
    sink.error(['spec', 'selector'], invalid({}, 'empty selector is invalid for deployment'));
    return;
  }
  if (!selectorMatches(sel, lbls))
    sink.error(
      ['spec', 'template', 'metadata', 'labels'],
      `Invalid value: ${goMap(lbls)}: \`selector\` does not match template \`labels\``,
    );
  const restart = spec.template?.spec?.restartPolicy;
  if (restart !== undefined && restart !== 'Always')
    sink.error(
      ['spec', 'template', 'spec', 'restartPolicy'],
      `Unsupported value: ${JSON.stringify(restart)}: supported values: "Always"`,
    );
}

const deployment = {
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
  body: { spec: DeploymentSpec },
  required: ['spec'],
  validate: validateDeployment,
};
registerKind({ ...deployment, group: 'apps', versions: ['v1', 'v1beta1', 'v1beta2'], aliases: ['deploy'] });
// extensions/v1beta1 served Deployments until Kubernetes 1.16; Istio 1.1-era samples use it.
registerKind({ ...deployment, group: 'extensions', versions: ['v1beta1'] });
