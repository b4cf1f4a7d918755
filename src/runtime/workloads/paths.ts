// Where the runtime keeps its files: the network's run records (tmpfs /run/weft for the default
// state directory /var/lib/weft, else `<state>/run`), container logs (`logs/<ns>/<pod>/<container>.log`, what `weft logs`
// reads) and each agent's work directory.
import { join } from 'node:path';
import { DEFAULT_STATE_DIR } from '../net/state.js';

export const PROXY_CONTAINER = 'istio-proxy';

export function netStateDir(stateDir: string): string {
  return stateDir === '/var/lib/weft' ? DEFAULT_STATE_DIR : join(stateDir, 'run');
}

export function podLogDir(stateDir: string, namespace: string, pod: string): string {
  return join(stateDir, 'logs', namespace, pod);
}

export function containerLogFile(
  stateDir: string,
  namespace: string,
  pod: string,
  container: string,
): string {
  return join(podLogDir(stateDir, namespace, pod), `${container}.log`);
}

export function agentWorkDir(stateDir: string, namespace: string, pod: string): string {
  return join(stateDir, 'pods', namespace, pod);
}
