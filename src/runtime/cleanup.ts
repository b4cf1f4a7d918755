// `weft down` and crash recovery: removes every namespace, link, hosts directory and process
// that the recorded runs made, and nothing else. Capture rules and TPROXY routes live inside
// the pod namespaces, so they go with them; the root namespace holds no Weft rules.
import { DEFAULT_STATE_DIR, listStates } from './net/state.js';
import { removeRun } from './net/teardown.js';

export interface CleanupReport {
  runs: string[];
  namespaces: string[];
  links: string[];
}

export async function cleanupAll(opts: { stateDir?: string } = {}): Promise<CleanupReport> {
  const stateDir = opts.stateDir ?? DEFAULT_STATE_DIR;
  const report: CleanupReport = { runs: [], namespaces: [], links: [] };
  for (const state of listStates(stateDir)) {
    await removeRun(stateDir, state);
    const pods = Object.values(state.pods);
    report.runs.push(state.runId);
    report.namespaces.push(...pods.map((p) => p.netns));
    report.links.push(...pods.map((p) => p.hostVeth), state.bridge);
  }
  return report;
}
