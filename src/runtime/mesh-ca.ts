// The mesh CA of a local run, as Istio runs it: the self-signed root kept in the state directory
// until the user supplies Istio's `cacerts` Secret in the root namespace, which plugs that CA in
// live (and again whenever the Secret is replaced — Istio's root-rotation procedure). The trust
// bundle goes to a file every agent watches (Istio mounts the istio-ca-root-cert ConfigMap), so
// proxies trust old and new roots together while their certificates move to the new CA.
import { join } from 'node:path';
import type { CacertsFiles, CertificateAuthority } from '../ca/authority.js';
import type { ConfigStoreReader, StoredConfig } from '../config/store-types.js';
import { secretData } from '../registry/credentials.js';
import { writeFilesDurably } from '../util/durable-fs.js';

export const CACERTS_SECRET = 'cacerts';

/** Where the agents of a run read the trust bundle (readable by the proxy uid). */
export function trustBundleFile(stateDir: string): string {
  return join(stateDir, 'istio-ca-root-cert.pem');
}

export interface MeshCaOptions {
  ca: CertificateAuthority;
  store: ConfigStoreReader;
  stateDir: string;
  rootNamespace: string;
  /** The CA's own material changed: re-issue whatever it serves with (15012). */
  onChange: () => Promise<void>;
  log: (msg: string) => void;
}

function cacertsFiles(c: StoredConfig): CacertsFiles {
  const data = secretData(c);
  const missing = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem'].filter((k) => !data[k]);
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.join(', ')} (found: ${Object.keys(data).sort().join(', ') || 'nothing'})`,
    );
  return data as unknown as CacertsFiles;
}

/**
 * Publishes the trust bundle and follows the `cacerts` Secret. A Secret that does not make a valid
 * CA is reported with its name and the CA keeps signing with what it had (never a lost CA).
 * Returns a function that stops watching.
 */
export async function runMeshCa(o: MeshCaOptions): Promise<() => void> {
  const key = { group: '', kind: 'Secret', namespace: o.rootNamespace, name: CACERTS_SECRET };
  const publish = (): Promise<void> =>
    writeFilesDurably([
      { path: trustBundleFile(o.stateDir), data: o.ca.trustBundle().join(''), mode: 0o644 },
    ]);
  let seen: string | undefined;
  let queue = Promise.resolve();
  const follow = (): void => {
    const c = o.store.get(key);
    if (!c || c.resourceVersion === seen) return;
    seen = c.resourceVersion;
    queue = queue.then(async () => {
      const where = `Secret ${o.rootNamespace}/${CACERTS_SECRET}`;
      try {
        await o.ca.usePluggedIn(cacertsFiles(c));
      } catch (e) {
        o.log(`error: ${where} is not a usable CA: ${(e as Error).message}; the CA keeps signing as before`);
        return;
      }
      await publish();
      await o.onChange();
      o.log(
        `CA: signing with the plugged-in CA from ${where}; trust bundle has ${o.ca.trustBundle().length} root(s)`,
      );
    });
  };
  await publish();
  follow();
  await queue;
  const unwatch = o.store.watch(follow);
  return unwatch;
}
