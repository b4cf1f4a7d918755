// security.istio.io AuthorizationPolicy (v1, v1beta1): Rule/Source/Operation/Condition with the
// CRD's rules and Istio's ValidateAuthorizationPolicy (actions, providers, values, `when` keys).
import type { Resource } from '../resource.js';
import { arr, enumOf, obj, str, type Infer, type Path, type Sink } from '../schema/dsl.js';
import {
  checkIPs,
  checkNonEmpty,
  checkPathTemplates,
  checkPorts,
  checkServiceAccounts,
  checkTrustDomains,
  conditionKeyCheck,
} from './authz-values.js';
import { has, targetedSpec, targetingFields, withObjectRule } from './policy-targeting.js';

type Check = typeof checkNonEmpty;

/** A list of strings checked item by item; messages name the field (the last path element). */
const list = (...checks: Check[]) =>
  arr(str()).refine((values, path, sink) => {
    for (const c of checks) c(values, path, sink, String(path[path.length - 1]));
  });

const serviceAccounts = () =>
  arr(str({ maxLength: 320 }), { maxItems: 16 }).refine((vs, path, sink) =>
    checkServiceAccounts(vs, path, sink, String(path[path.length - 1])),
  );

const SOURCE_FIELDS = {
  principals: list(checkNonEmpty),
  notPrincipals: list(checkNonEmpty),
  requestPrincipals: list(checkNonEmpty),
  notRequestPrincipals: list(checkNonEmpty),
  namespaces: list(checkNonEmpty),
  notNamespaces: list(checkNonEmpty),
  serviceAccounts: serviceAccounts(),
  notServiceAccounts: serviceAccounts(),
  ipBlocks: list(checkNonEmpty, checkIPs),
  notIpBlocks: list(checkNonEmpty, checkIPs),
  remoteIpBlocks: list(checkNonEmpty, checkIPs),
  notRemoteIpBlocks: list(checkNonEmpty, checkIPs),
  trustDomains: list(checkTrustDomains),
  notTrustDomains: list(checkTrustDomains),
};

// Source fields that an L4 (TCP) RBAC filter can enforce.
const TCP_SOURCE_FIELDS = [
  'principals',
  'notPrincipals',
  'namespaces',
  'notNamespaces',
  'serviceAccounts',
  'notServiceAccounts',
  'ipBlocks',
  'notIpBlocks',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
] as const;

const Source = withObjectRule(obj(SOURCE_FIELDS), (v, path, sink) => {
  const sa = has(v, 'serviceAccounts') || has(v, 'notServiceAccounts');
  const others = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some((k) => has(v, k));
  if (sa && others) sink.error(path, 'Cannot set serviceAccounts with namespaces or principals');
  if (!Object.keys(SOURCE_FIELDS).some((k) => ((v[k] as unknown[] | null | undefined)?.length ?? 0) > 0))
    sink.error(path, '`from.source` must not be empty');
});

const Operation = obj({
  hosts: list(checkNonEmpty),
  notHosts: list(checkNonEmpty),
  ports: list(checkNonEmpty, checkPorts),
  notPorts: list(checkNonEmpty, checkPorts),
  methods: list(checkNonEmpty),
  notMethods: list(checkNonEmpty),
  paths: list(checkNonEmpty, checkPathTemplates),
  notPaths: list(checkNonEmpty, checkPathTemplates),
}).refine((op, path, sink) => {
  if (!Object.values(op).some((vs) => (vs?.length ?? 0) > 0))
    sink.error(path, '`to.operation` must not be empty');
});

const Condition = obj(
  { key: str(), values: arr(str()), notValues: arr(str()) },
  { required: ['key'] },
).refine((c, path, sink) => {
  const key = c.key ?? '';
  if (key === '') return sink.error([...path, 'key'], '`key` must not be empty');
  if (!c.values?.length && !c.notValues?.length)
    return sink.error(path, `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
  const check = conditionKeyCheck(key);
  if (typeof check === 'string') return sink.error([...path, 'key'], check);
  for (const field of ['values', 'notValues'] as const) {
    const vs = c[field] ?? [];
    checkNonEmpty(vs, [...path, field], sink, field);
    check(vs, [...path, field], sink, field);
  }
});

export const RuleSchema = obj({
  from: arr(obj({ source: Source }, { required: ['source'] }), { maxItems: 512 }),
  to: arr(obj({ operation: Operation }, { required: ['operation'] })),
  when: arr(Condition),
});
export type Rule = Infer<typeof RuleSchema>;

const ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;

const NEVER_TRIGGERED =
  'action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request';

// Attributes ext_authz (CUSTOM) cannot see: identities come from mTLS/JWT after ext_authz runs.
const CUSTOM_UNSUPPORTED_SOURCE = [
  'namespaces',
  'notNamespaces',
  'serviceAccounts',
  'notServiceAccounts',
  'trustDomains',
  'notTrustDomains',
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
] as const;
const CUSTOM_UNSUPPORTED_KEYS = [
  'source.namespace',
  'source.serviceAccount',
  'source.trustDomain',
  'source.principal',
];

function checkCustomRule(rule: Rule, path: Path, sink: Sink): void {
  rule.from?.forEach((f, j) => {
    for (const k of CUSTOM_UNSUPPORTED_SOURCE)
      if (f.source?.[k]?.length)
        sink.error([...path, 'from', j, 'source', k], `${k} is currently not supported with CUSTOM action`);
  });
  rule.when?.forEach((c, j) => {
    const key = c.key ?? '';
    if (CUSTOM_UNSUPPORTED_KEYS.includes(key) || key.startsWith('request.auth.'))
      sink.error([...path, 'when', j, 'key'], `${key} is currently not supported with CUSTOM action`);
  });
}

// A DENY rule made only of HTTP attributes cannot be enforced on TCP ports, so Istio denies
// all TCP traffic in scope instead; it warns about that.
function onlyHttpAttributes(rule: Rule): boolean {
  const sources = (rule.from ?? []).filter((f) => f.source);
  const ops = (rule.to ?? []).filter((t) => t.operation);
  const tcpFrom = sources.some((f) => TCP_SOURCE_FIELDS.some((k) => f.source?.[k] !== undefined));
  const tcpTo = ops.some((t) => t.operation?.ports !== undefined || t.operation?.notPorts !== undefined);
  return (sources.length > 0 && ops.length === 0 && !tcpFrom) || (ops.length > 0 && !tcpTo);
}

export const AuthorizationPolicySpec = targetedSpec(
  obj({
    ...targetingFields,
    rules: arr(RuleSchema, { maxItems: 512 }),
    action: enumOf(ACTIONS),
    provider: obj({ name: str() }),
  }).refine((spec, path, sink) => {
    const action = spec.action ?? 'ALLOW';
    const noRules = !spec.rules?.length;
    if (action === 'CUSTOM') {
      if (noRules) sink.error([...path, 'rules'], `CUSTOM ${NEVER_TRIGGERED}`);
      else if (!spec.provider?.name) sink.error([...path, 'provider'], '`provider.name` must not be empty');
      spec.rules?.forEach((r, i) => checkCustomRule(r, [...path, 'rules', i], sink));
    } else if (spec.provider) {
      sink.error([...path, 'provider'], `\`provider\` must not be with non CUSTOM action, found ${action}`);
    }
    if (action === 'DENY' && noRules) sink.error([...path, 'rules'], `DENY ${NEVER_TRIGGERED}`);
    if (action === 'DENY')
      spec.rules?.forEach((r, i) => {
        if (onlyHttpAttributes(r))
          sink.warn(
            [...path, 'rules', i],
            'configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port',
          );
      });
  }),
);
export type AuthorizationPolicy = Infer<typeof AuthorizationPolicySpec>;

const DRY_RUN = 'istio.io/dry-run';
const GO_BOOLS = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];

/** The istio.io/dry-run annotation: a boolean, and only for ALLOW and DENY policies. */
export function checkDryRun(res: Resource, sink: Sink): void {
  const value = res.metadata.annotations?.[DRY_RUN];
  if (value === undefined) return;
  const path = ['metadata', 'annotations', DRY_RUN];
  const action = (res.spec as AuthorizationPolicy | undefined)?.action ?? 'ALLOW';
  if (action !== 'ALLOW' && action !== 'DENY')
    sink.error(
      path,
      `the annotation ${DRY_RUN} currently only supports action ALLOW/DENY, found action ${action}`,
    );
  else if (!GO_BOOLS.includes(value))
    sink.error(path, `annotation ${DRY_RUN} has invalid value (${value}): must be true or false`);
}
