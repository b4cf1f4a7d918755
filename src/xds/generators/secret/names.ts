// SDS names of Kubernetes Secret credentials (Istio pilot/pkg/model/credentials): a credentialName
// `<name>` is served as `kubernetes://<name>` (certificate and key) and `kubernetes://<name>-cacert`
// (its CA), over the ADS stream; `kubernetes://<namespace>/<name>` names another namespace.
import { ADS_CONFIG_SOURCE } from '../common.js';

export const KUBERNETES_SECRET_PREFIX = 'kubernetes://';
export const CA_SUFFIX = '-cacert';

/** `weather-cert` → `kubernetes://weather-cert`; names that already carry a scheme stay. */
export function credentialResourceName(credentialName: string): string {
  return credentialName.includes('://') ? credentialName : `${KUBERNETES_SECRET_PREFIX}${credentialName}`;
}

/** The CA of a credential: `kubernetes://<name>-cacert`. */
export function credentialCaResourceName(credentialName: string): string {
  return credentialResourceName(`${credentialName}${CA_SUFFIX}`);
}

/** An SdsSecretConfig the proxy resolves over its ADS stream (istiod serves credentials itself). */
export function credentialSecretConfig(resourceName: string): object {
  return { name: resourceName, sds_config: ADS_CONFIG_SOURCE };
}

export interface CredentialRef {
  namespace: string;
  /** Secret name, without the -cacert suffix when `ca` is set. */
  name: string;
  /** The CA part (`-cacert`) rather than the certificate and key. */
  ca: boolean;
}

/** Parses an SDS resource name as Istio's ParseResourceName does; undefined for other schemes. */
export function parseCredentialResourceName(
  resource: string,
  proxyNamespace: string,
): CredentialRef | undefined {
  if (!resource.startsWith(KUBERNETES_SECRET_PREFIX)) return undefined;
  const parts = resource.slice(KUBERNETES_SECRET_PREFIX.length).split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return undefined;
  const [namespace, full] = parts.length === 2 ? parts : [proxyNamespace, parts[0]!];
  const ca = full!.endsWith(CA_SUFFIX);
  return { namespace: namespace!, name: ca ? full!.slice(0, -CA_SUFFIX.length) : full!, ca };
}
