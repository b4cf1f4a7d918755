// Istio 1.1 rbac.istio.io/v1alpha1: ServiceRole (access rules), ServiceRoleBinding (subjects to a
// role) and RbacConfig/ClusterRbacConfig (mesh switch), with Istio 1.1's validation plus checks
// for constraint keys and methods that 1.1 only logged and ignored.
import { checkPort } from '../common.js';
import type { Resource } from '../resource.js';
import { arr, enumOf, int, map, obj, str, type Infer, type Sink } from '../schema/dsl.js';
import { checkIPs, checkPorts } from './authz-values.js';

type ValueCheck = typeof checkIPs;

// Constraint keys Istio 1.1's RBAC plugin understood; anything else was silently ignored.
const CONSTRAINT_KEYS = new Map<string, ValueCheck | undefined>([
  ['destination.ip', checkIPs],
  ['destination.port', checkPorts],
  ['destination.name', undefined],
  ['destination.namespace', undefined],
  ['destination.user', undefined],
  ['connection.sni', undefined],
]);
const BRACKETED =
  /^(destination\.labels|request\.headers)\[[^\]]+\]$|^experimental\.envoy\.filters\.[\w.]+\[[^\]]+\]$/;

const Constraint = obj({ key: str(), values: arr(str()) }).refine((c, path, sink) => {
  const key = c.key ?? '';
  if (key === '') sink.error([...path, 'key'], 'key cannot be empty');
  else if (!CONSTRAINT_KEYS.has(key) && !BRACKETED.test(key))
    sink.error(
      [...path, 'key'],
      `unknown constraint key ${JSON.stringify(key)}: use destination.ip, destination.port, destination.labels[NAME], destination.name, destination.namespace, destination.user, request.headers[NAME], connection.sni or experimental.envoy.filters.*[KEY]`,
    );
  if (!c.values?.length) sink.error([...path, 'values'], 'at least 1 value must be specified');
  else CONSTRAINT_KEYS.get(key)?.(c.values, [...path, 'values'], sink, 'values');
});

const methods = () =>
  arr(str()).refine((vs, path, sink) =>
    vs.forEach((m, i) => {
      if (m !== m.toUpperCase())
        sink.error(
          [...path, i],
          `method ${JSON.stringify(m)} must be upper case (HTTP methods are case-sensitive)`,
        );
    }),
  );

const ports = () =>
  arr(int()).refine((ps, path, sink) => ps.forEach((p, i) => checkPort(p, [...path, i], sink)));

const AccessRule = obj({
  services: arr(str()),
  hosts: arr(str()),
  notHosts: arr(str()),
  paths: arr(str()),
  notPaths: arr(str()),
  methods: methods(),
  notMethods: methods(),
  ports: ports(),
  notPorts: ports(),
  constraints: arr(Constraint),
}).refine((rule, path, sink) => {
  if (!rule.services?.length) sink.error([...path, 'services'], 'at least 1 service must be specified');
});

export const ServiceRoleSpec = obj({ rules: arr(AccessRule) }).refine((role, path, sink) => {
  if (!role.rules?.length) sink.error([...path, 'rules'], 'at least 1 rule must be specified');
});
export type ServiceRole = Infer<typeof ServiceRoleSpec>;

const Subject = obj({
  user: str(),
  names: arr(str()),
  notNames: arr(str()),
  group: str(),
  groups: arr(str()),
  notGroups: arr(str()),
  namespaces: arr(str()),
  notNamespaces: arr(str()),
  ips: arr(str()).refine((vs, path, sink) => checkIPs(vs, path, sink, 'ips')),
  notIps: arr(str()).refine((vs, path, sink) => checkIPs(vs, path, sink, 'notIps')),
  properties: map(str()).refine((m, path, sink) => {
    if (Object.hasOwn(m, '')) sink.error(path, 'property key must not be empty');
  }),
}).refine((s, path, sink) => {
  const set = Object.values(s).some((v) =>
    typeof v === 'string' ? v !== '' : Object.keys(v ?? {}).length > 0,
  );
  if (!set)
    sink.error(
      path,
      'at least 1 of user, group or properties must be specified (or names, groups, namespaces, ips and their not* forms)',
    );
});

export const ServiceRoleBindingSpec = obj({
  subjects: arr(Subject),
  roleRef: obj({ kind: str(), name: str() }).refine((ref, path, sink) => {
    if (ref.kind !== 'ServiceRole')
      sink.error(
        [...path, 'kind'],
        `kind set to ${JSON.stringify(ref.kind ?? '')}, currently the only supported value is "ServiceRole"`,
      );
    if (!ref.name) sink.error([...path, 'name'], 'name cannot be empty');
  }),
  mode: enumOf(['ENFORCED', 'PERMISSIVE']),
}).refine((b, path, sink) => {
  if (!b.subjects?.length) sink.error([...path, 'subjects'], 'at least 1 subject must be specified');
  if (!b.roleRef) sink.error([...path, 'roleRef'], 'roleRef must be specified');
});
export type ServiceRoleBinding = Infer<typeof ServiceRoleBindingSpec>;

const Target = obj({
  services: arr(str()),
  workloadSelectors: arr(obj({ labels: map(str()) })),
  namespaces: arr(str()),
});

const MODES = ['OFF', 'ON', 'ON_WITH_INCLUSION', 'ON_WITH_EXCLUSION'] as const;

export const RbacConfigSpec = obj({
  mode: enumOf(MODES),
  inclusion: Target,
  exclusion: Target,
  enforcementMode: enumOf(['ENFORCED', 'PERMISSIVE']),
}).refine((c, path, sink) => {
  const mode = c.mode ?? 'OFF';
  for (const [field, wanted] of [
    ['inclusion', 'ON_WITH_INCLUSION'],
    ['exclusion', 'ON_WITH_EXCLUSION'],
  ] as const) {
    if (mode === wanted && !c[field])
      sink.error([...path, field], `${field} cannot be null (use '${field}: {}' for none)`);
    if (mode !== wanted && c[field])
      sink.error([...path, field], `${field} is only used with mode ${wanted}, but mode is ${mode}`);
  }
});
export type RbacConfig = Infer<typeof RbacConfigSpec>;

/** RbacConfig and ClusterRbacConfig are singletons named "default". */
export function checkRbacConfigName(res: Resource, sink: Sink): void {
  if (res.metadata.name !== 'default')
    sink.error(
      ['metadata', 'name'],
      `${res.kind} has invalid name(${res.metadata.name ?? ''}), name must be "default"`,
    );
}
