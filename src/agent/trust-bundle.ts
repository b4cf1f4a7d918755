// The mesh trust bundle as a pod sees it: Istio mounts the istio-ca-root-cert ConfigMap into every
// pod and the agent follows it, so during a root rotation proxies trust old and new roots before
// any of them holds a certificate from the new one. Polled, because the runtime replaces the file
// atomically (rename), which inotify watchers on the old inode would miss.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { splitPem } from '../ca/keys.js';

const POLL_MS = 500;

/** The bundle plus `root` when it is not already in it (the CA's answer names the issuing root). */
export function withRoot(bundle: string, root: string): string {
  const certs = splitPem(bundle);
  const norm = (p: string): string => p.replace(/\s+/g, '');
  return splitPem(root).some((r) => !certs.some((c) => norm(c) === norm(r)))
    ? [...certs, ...splitPem(root)].join('')
    : certs.join('');
}

/** Calls `onChange` with the file's roots now and whenever they change; returns the stop function. */
export function followTrustBundle(
  file: string,
  onChange: (pem: string) => void,
  log: (msg: string) => void,
): () => void {
  let last: string | undefined;
  const read = (): void => {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (e) {
      log(`trust bundle ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    if (pem === last) return;
    if (splitPem(pem).length === 0) {
      log(`trust bundle ${file} holds no certificate; keeping the previous roots`);
      return;
    }
    last = pem;
    onChange(pem);
  };
  const listener = (): void => read();
  watchFile(file, { interval: POLL_MS, persistent: false }, listener);
  read();
  return () => unwatchFile(file, listener);
}
