// Istio's analysis message types (pkg/config/analysis/msg/messages.yaml): code, level and the
// wording users search for. Weft-only checks use the WEFT prefix where Istio has no code.
export type Level = 'Error' | 'Warning' | 'Info';

export interface MessageType<A extends unknown[]> {
  code: string;
  name: string;
  level: Level;
  render: (...args: A) => string;
}

function type<A extends unknown[]>(
  code: string,
  name: string,
  level: Level,
  render: (...a: A) => string,
): MessageType<A> {
  return { code, name, level, render };
}

/** Go's %q for the strings these messages quote. */
const q = (s: string): string => JSON.stringify(s);

export const ReferencedResourceNotFound = type(
  'IST0101',
  'ReferencedResourceNotFound',
  'Error',
  (reftype: string, refval: string) => `Referenced ${reftype} not found: ${q(refval)}`,
);

export const NamespaceNotInjected = type(
  'IST0102',
  'NamespaceNotInjected',
  'Info',
  (ns: string) =>
    `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns} istio-injection=enabled' to enable it, or 'kubectl label namespace ${ns} istio-injection=disabled' to explicitly mark it as not needing injection.`,
);

export const SchemaValidationError = type(
  'IST0106',
  'SchemaValidationError',
  'Error',
  (err: string) => `Schema validation error: ${err}`,
);

export const ConflictingMeshGatewayVirtualServiceHosts = type(
  'IST0109',
  'ConflictingMeshGatewayVirtualServiceHosts',
  'Error',
  (virtualServices: string, host: string) =>
    `The VirtualServices ${virtualServices} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
);

export const MTLSPolicyConflict = type(
  'IST0113',
  'MTLSPolicyConflict',
  'Error',
  (host: string, destinationRule: string, drMtls: boolean, policy: string, policyMode: string) =>
    `A DestinationRule and Policy are in conflict with regards to mTLS for host ${host}. The DestinationRule ${q(destinationRule)} specifies that mTLS must be ${drMtls} but the Policy object ${q(policy)} specifies ${policyMode}.`,
);

export const PortNameIsNotUnderNamingConvention = type(
  'IST0118',
  'PortNameIsNotUnderNamingConvention',
  'Info',
  (portName: string, port: number, targetPort: string) =>
    `Port name ${portName} (port: ${port}, targetPort: ${targetPort}) doesn't follow the naming convention of Istio port.`,
);

export const VirtualServiceHostNotFoundInGateway = type(
  'IST0132',
  'VirtualServiceHostNotFoundInGateway',
  'Warning',
  (hosts: string[], virtualService: string, gateway: string) =>
    `one or more host [${hosts.join(' ')}] defined in VirtualService ${virtualService} not found in Gateway ${gateway}.`,
);

export const SchemaWarning = type(
  'IST0133',
  'SchemaWarning',
  'Warning',
  (err: string) => `Schema validation warning: ${err}`,
);

export const DestinationRuleSubsetNotSelectPods = type(
  'IST0173',
  'DestinationRuleSubsetNotSelectPods',
  'Error',
  (subset: string) =>
    `The Subset ${subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
);

// Istio has no analyzer for this; Pilot picks one of the rules. Worded like IST0109.
export const MultipleDestinationRules = type(
  'WEFT0001',
  'MultipleDestinationRules',
  'Warning',
  (destinationRules: string, host: string) =>
    `The DestinationRules ${destinationRules} define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting DestinationRules into a single resource.`,
);
