// WorkloadEntry (networking.istio.io): a non-Kubernetes workload (VM, bare metal, UDS) — also the
// shape of ServiceEntry endpoints and the WorkloadGroup template.
import { map, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';

import { checkLabelMap, checkPortNumber, UNIX_PREFIX, unixAddressError } from './rules.js';
import { fqdnError, ipError } from '../common.js';

// CRD rule on WorkloadEntry.ports keys (Istio's ValidatePortName is the stricter DNS-1123 label).
const PORT_NAME = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

const fields = {
  address: str({ maxLength: 256 }),
  ports: map(uint32()),
  labels: map(str()),
  network: str({ maxLength: 2048 }),
  locality: str({ maxLength: 2048 }),
  weight: uint32(),
  serviceAccount: str({ maxLength: 253 }),
};

/** The endpoint shape without rules: ServiceEntry applies its own, per resolution mode. */
export const WorkloadEntryFields = obj(fields);
export type WorkloadEntry = Infer<typeof WorkloadEntryFields>;

/** Address and port rules every workload entry obeys (the CRD's and validateWorkloadEntry's). */
export function checkWorkloadEntry(
  we: WorkloadEntry,
  opts: { allowFqdn: boolean; template?: boolean },
  path: Path,
  sink: Sink,
): void {
  const addr = we.address ?? '';
  if (addr === '' && !opts.template) {
    if (!we.network) sink.error([...path, 'address'], 'Address is required');
    else sink.warn([...path, 'address'], `address is unset with network "${we.network}"`);
  }
  if (addr.startsWith(UNIX_PREFIX)) {
    const rest = addr.slice(UNIX_PREFIX.length);
    if (!rest.startsWith('/') && !rest.startsWith('@'))
      sink.error([...path, 'address'], 'UDS must be an absolute path or abstract socket');
    else if (rest.endsWith('/')) sink.error([...path, 'address'], 'UDS may not be a dir');
    else {
      const e = unixAddressError(rest);
      if (e) sink.error([...path, 'address'], e);
    }
    if (we.ports && Object.keys(we.ports).length) sink.error([...path, 'ports'], 'UDS may not include ports');
  } else if (addr !== '' && ipError(addr)) {
    if (!opts.allowFqdn)
      sink.error([...path, 'address'], `endpoint address "${addr}" is not a valid IP address`);
    else if (fqdnError(addr))
      sink.error([...path, 'address'], `endpoint address "${addr}" is not a valid FQDN or an IP address`);
  }
  for (const [name, port] of Object.entries(we.ports ?? {})) {
    if (!(name.length < 63 && PORT_NAME.test(name)))
      sink.error([...path, 'ports'], `Invalid value: port name must be valid: "${name}"`);
    checkPortNumber(port, [...path, 'ports', name], sink);
  }
  checkLabelMap(we.labels, [...path, 'labels'], sink);
}

export const WorkloadEntry = WorkloadEntryFields.refine((we, path, sink) =>
  checkWorkloadEntry(we, { allowFqdn: true }, path, sink),
);

/** WorkloadGroup.template: a registering VM supplies the address, so it may be absent. */
export const WorkloadEntryTemplate = WorkloadEntryFields.refine((we, path, sink) =>
  checkWorkloadEntry(we, { allowFqdn: true, template: true }, path, sink),
);
