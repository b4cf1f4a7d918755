// security.istio.io PeerAuthentication (v1, v1beta1): the mTLS mode a workload accepts, per
// workload and per port, with the CRD's rules and Istio's ValidatePeerAuthentication.
import { checkPort } from '../common.js';
import { enumOf, map, obj, type Infer } from '../schema/dsl.js';
import { PolicySelector, withObjectRule } from './policy-targeting.js';

const MutualTLS = obj({ mode: enumOf(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']) });

// map<uint32, MutualTLS>: JSON keys are decimal strings.
const portLevelMtls = map(MutualTLS, undefined, { minProperties: 1 }).refine((m, path, sink) => {
  for (const key of Object.keys(m)) {
    if (!/^\d+$/.test(key) || Number(key) > 4294967295)
      sink.error(
        [...path, key],
        `type conversion error from string to uint32: port key ${JSON.stringify(key)} is not a port number`,
      );
    else checkPort(Number(key), [...path, key], sink);
  }
});

export const PeerAuthenticationSpec = withObjectRule(
  obj({ selector: PolicySelector, mtls: MutualTLS, portLevelMtls }),
  (v, path, sink) => {
    const labels = (v.selector as { matchLabels?: object } | null | undefined)?.matchLabels ?? {};
    if (v.portLevelMtls != null && Object.keys(labels).length === 0)
      sink.error(
        [...path, 'portLevelMtls'],
        'portLevelMtls requires selector (a mesh or namespace wide policy cannot have port level mTLS)',
      );
  },
);
export type PeerAuthentication = Infer<typeof PeerAuthenticationSpec>;
