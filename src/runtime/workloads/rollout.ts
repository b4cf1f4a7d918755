// The Deployment controller's decision for one Deployment (ReplicaSets collapsed into pods
// grouped by pod-template-hash): how many pods of the current template to create, and which
// pods to remove. Rolling update: new pods start at once (surge), and an old pod goes only when
// a new one is Ready, so Ready pods never drop below the desired count during a rollout.

export interface PodView {
  name: string;
  hash: string;
  ready: boolean;
  startTime: number;
}

export interface RolloutStep {
  create: number;
  remove: string[];
}

/** Not-ready pods go first, then the newest (Kubernetes' ActivePods ordering, simplified). */
function removalOrder(a: PodView, b: PodView): number {
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  return b.startTime - a.startTime;
}

export function rolloutStep(desired: number, currentHash: string, pods: readonly PodView[]): RolloutStep {
  const current = pods.filter((p) => p.hash === currentHash);
  const old = pods.filter((p) => p.hash !== currentHash).sort(removalOrder);
  const remove: string[] = [];
  const create = Math.max(0, desired - current.length);
  if (current.length > desired)
    remove.push(
      ...[...current]
        .sort(removalOrder)
        .slice(0, current.length - desired)
        .map((p) => p.name),
    );
  const readyCurrent = Math.min(desired, current.filter((p) => p.ready).length);
  // Old pods needed to keep `desired` pods Ready; not-ready old pods never count.
  const keepOld = Math.max(0, desired - readyCurrent);
  const readyOld = old.filter((p) => p.ready);
  const keep = new Set(
    readyOld.slice(readyOld.length - Math.min(keepOld, readyOld.length)).map((p) => p.name),
  );
  // Not-ready old pods stay while no current pod is ready yet (nothing better to serve with).
  for (const p of old)
    if (!keep.has(p.name) && (p.ready || readyCurrent > 0 || desired === 0)) remove.push(p.name);
  return { create, remove };
}
