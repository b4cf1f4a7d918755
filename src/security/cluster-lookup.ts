// Finds the outbound cluster for a `[<namespace>/]<hostname>` reference in mesh config (ext_authz
// providers, JWKS servers), as Istio's model.LookupCluster does.

/** A service known to the registry. */
export interface ServiceRef {
  hostname: string;
  namespace: string;
}

export interface ClusterRef {
  hostname: string;
  cluster: string;
}

export function outboundCluster(hostname: string, port: number): string {
  return `outbound|${port}||${hostname}`;
}

/** Throws when the service is unknown or, without a namespace, ambiguous. */
export function lookupCluster(services: readonly ServiceRef[], service: string, port: number): ClusterRef {
  if (service === '') throw new Error('service must not be empty');
  const parts = service.split('/');
  const [ns, host] = parts.length === 2 ? parts : [undefined, service];
  const found = services.filter((s) => s.hostname === host && (ns === undefined || s.namespace === ns));
  const namespaces = [...new Set(found.map((s) => s.namespace))];
  if (namespaces.length > 1)
    throw new Error(
      `found ${service} in multiple namespaces [${namespaces.join(' ')}], specify the namespace explicitly in the format of <Namespace>/<Hostname>`,
    );
  if (found.length === 0) throw new Error(`could not find service ${service} in Istio service registry`);
  return { hostname: host!, cluster: outboundCluster(host!, port) };
}
