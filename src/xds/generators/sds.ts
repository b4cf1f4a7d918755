// SDS for gateway credentials (Istio pilot/pkg/xds/sds.go SecretGen): `kubernetes://<name>` as a
// tls_certificate and `kubernetes://<name>-cacert` as a validation_context, from Kubernetes Secrets
// in the gateway's own namespace only. A Secret change pushes SDS alone, to the gateways using it.
import type { Generator, ProxyInfo, PushRequest, XdsResource } from '../contracts.js';
import type { PushContext } from '../push-context.js';
import { TypeUrl } from '../type-urls.js';
import { gatewayServers } from './gateway/servers.js';
import { CA_SUFFIX, parseCredentialResourceName, type CredentialRef } from './secret/names.js';
import { changedConfigs } from './push-filter.js';

const inline = (pem: string) => ({ inline_bytes: Buffer.from(pem).toString('base64') });

function secret(push: PushContext, name: string, ref: CredentialRef): object | undefined {
  if (ref.ca) {
    // A separate `<name>-cacert` Secret wins over the CA inside `<name>` (Istio GetCaCert).
    const ca =
      push.credential(ref.namespace, `${ref.name}${CA_SUFFIX}`)?.caCert ??
      push.credential(ref.namespace, ref.name)?.caCert;
    return ca ? { name, validation_context: { trusted_ca: inline(ca) } } : undefined;
  }
  const c = push.credential(ref.namespace, ref.name);
  if (!c?.certChain || !c.privateKey) return undefined;
  return {
    name,
    tls_certificate: { certificate_chain: inline(c.certChain), private_key: inline(c.privateKey) },
  };
}

/** Credential names the proxy's gateway servers use. */
function usedCredentials(proxy: ProxyInfo, push: PushContext): Set<string> {
  return new Set(gatewayServers(proxy, push).flatMap((s) => s.server.tls?.credentialName ?? []));
}

export const sds: Generator<PushContext> = {
  typeUrl: TypeUrl.Secret,
  generate({ proxy, push, names }): XdsResource[] {
    // Only gateways read Secrets, and only their own namespace's (Istio's same-namespace rule).
    if (proxy.type !== 'router' || !names) return [];
    return names.flatMap((name) => {
      const ref = parseCredentialResourceName(name, proxy.namespace);
      const s = ref && ref.namespace === proxy.namespace ? secret(push, name, ref) : undefined;
      return s ? [{ name, resource: s }] : [];
    });
  },
  needsPush(proxy: ProxyInfo, update: PushRequest, push: PushContext): boolean {
    if (proxy.type !== 'router' || !update.full) return false;
    if (update.configsUpdated.size === 0) return true;
    const secrets = changedConfigs(update, 'Secret').filter((s) => s.namespace === proxy.namespace);
    if (secrets.length === 0) return false;
    const used = usedCredentials(proxy, push);
    return secrets.some(
      (s) => used.has(s.name) || (s.name.endsWith(CA_SUFFIX) && used.has(s.name.slice(0, -CA_SUFFIX.length))),
    );
  },
};
