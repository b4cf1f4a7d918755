// From a Deployment's pod template to what the kubelet runs (PodPlan): name, labels, the
// injector's changes (sidecar, status annotation, rewritten probes) and whether the pod is a
// gateway, whose one container is the proxy itself (image istio/proxyv2, args `proxy router`).
import type { Container, PodSpec } from '../../api/kube/pod.js';
import type { AppProbe } from '../../agent/config.js';
import { injectionWanted, rewriteProbes, SIDECAR_STATUS, sidecarStatus } from './inject.js';
import { podName } from './names.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface PodOwner {
  apiVersion: string;
  kind: string;
  name: string;
}

export interface PodPlan {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount: string;
  owner: PodOwner;
  /** pod-template-hash of the template the pod was made from. */
  templateHash: string;
  /** The application containers (probes rewritten when injected). */
  containers: Container[];
  /** `sidecar`: an injected proxy beside the app; `router`: the pod is a gateway proxy. */
  proxy: 'sidecar' | 'router' | undefined;
  appProbers: Record<string, AppProbe>;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  terminationGraceSeconds: number;
  /** The original template, for the Pod object the runtime records. */
  spec: PodSpec;
}

const PROXY_IMAGE = /(^|\/)proxyv2(:|@|$)/;

/** Istio's gateway deployments run `pilot-agent proxy router` in an istio/proxyv2 image. */
export function isRouterContainer(c: Container): boolean {
  return PROXY_IMAGE.test(c.image ?? '') && c.args?.[0] === 'proxy' && c.args?.[1] === 'router';
}

export function planPod(opts: {
  namespace: string;
  namespaceLabels: Record<string, string>;
  owner: PodOwner;
  templateHash: string;
  template: PodTemplate;
}): PodPlan {
  const { template, namespace } = opts;
  const labels: Record<string, string> = {
    ...(template.metadata?.labels ?? {}),
    'pod-template-hash': opts.templateHash,
  };
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  const spec = template.spec;
  const router = (spec.containers ?? []).some(isRouterContainer);
  const sidecar = !router && injectionWanted(opts.namespaceLabels, { labels, annotations });
  let containers: Container[] = spec.containers ?? [];
  let appProbers: Record<string, AppProbe> = {};
  if (sidecar) {
    ({ containers, appProbers } = rewriteProbes(containers));
    annotations[SIDECAR_STATUS] = sidecarStatus();
    labels['security.istio.io/tlsMode'] = 'istio';
    labels['service.istio.io/canonical-name'] ??= labels.app ?? opts.owner.name;
    labels['service.istio.io/canonical-revision'] ??= labels.version ?? 'latest';
  }
  return {
    name: podName(opts.owner.name, opts.templateHash),
    namespace,
    labels,
    annotations,
    serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
    owner: opts.owner,
    templateHash: opts.templateHash,
    containers,
    proxy: router ? 'router' : sidecar ? 'sidecar' : undefined,
    appProbers,
    restartPolicy: spec.restartPolicy ?? 'Always',
    terminationGraceSeconds: spec.terminationGracePeriodSeconds ?? 30,
    spec,
  };
}
