// Istio 1.1 authentication.istio.io/v1alpha1 Policy and MeshPolicy: peer (mTLS/JWT) and origin
// (JWT) authentication with targets, checked as Istio 1.1's ValidateAuthenticationPolicy did.
import { isDns1123Label } from '../common.js';
import type { Resource } from '../resource.js';
import { arr, bool, enumOf, map, obj, str, uint32, type Infer, type Path, type Sink } from '../schema/dsl.js';
import { checkJwksUri } from './jwks.js';

const regex = str().refine((re, path, sink) => {
  try {
    new RegExp(re);
  } catch (e) {
    sink.error(path, `invalid regex ${JSON.stringify(re)}: ${(e as Error).message}`);
  }
});

const StringMatch = obj(
  { exact: str(), prefix: str(), suffix: str(), regex },
  { oneOf: [['exact', 'prefix', 'suffix', 'regex']] },
);

const nonEmptyItems = (what: string) =>
  arr(str()).refine((vs, path, sink) =>
    vs.forEach((v, i) => {
      if (v === '') sink.error([...path, i], `${what} must be non-empty string`);
    }),
  );

const Jwt = obj({
  issuer: str(),
  audiences: nonEmptyItems('audience'),
  jwksUri: str().refine((uri, path, sink) => {
    if (uri !== '') checkJwksUri(uri, path, sink);
  }),
  jwtHeaders: nonEmptyItems('location header'),
  jwtParams: nonEmptyItems('location query'),
  triggerRules: arr(obj({ excludedPaths: arr(StringMatch), includedPaths: arr(StringMatch) })),
}).refine((jwt, path, sink) => {
  if (!jwt.issuer) sink.error([...path, 'issuer'], 'issuer must be set');
});

const MutualTls = obj({ allowTls: bool(), mode: enumOf(['STRICT', 'PERMISSIVE']) });

const PortSelector = obj(
  {
    number: uint32().refine((n, path, sink) => {
      if (n < 1 || n > 65535) sink.error(path, `port number ${n} must be in the range 1..65535`);
    }),
    name: str().refine((n, path, sink) => {
      if (!isDns1123Label(n))
        sink.error(path, `port name ${JSON.stringify(n)} must be a valid DNS-1123 label`);
    }),
  },
  { oneOf: [['number', 'name']] },
).refine((p, path, sink) => {
  if (!p.number && !p.name) sink.error(path, 'port selector must set a number or a name');
});

const TargetSelector = obj({
  name: str().refine((n, path, sink) => {
    if (!isDns1123Label(n)) sink.error(path, `target name ${JSON.stringify(n)} must be a valid label`);
  }),
  labels: map(str()),
  ports: arr(PortSelector),
});

export const AuthnPolicySpec = obj({
  targets: arr(TargetSelector),
  peers: arr(obj({ mtls: MutualTls, jwt: Jwt }, { oneOf: [['mtls', 'jwt']] })),
  peerIsOptional: bool(),
  origins: arr(obj({ jwt: Jwt }, { required: ['jwt'] })),
  originIsOptional: bool(),
  principalBinding: enumOf(['USE_PEER', 'USE_ORIGIN']),
}).refine((spec, path, sink) => {
  // One JWT configuration per issuer across peers and origins.
  const seen = new Set<string>();
  const issuer = (iss: string | undefined, at: Path) => {
    if (!iss) return;
    if (seen.has(iss)) sink.error(at, `jwt with issuer ${JSON.stringify(iss)} already defined`);
    seen.add(iss);
  };
  spec.peers?.forEach((p, i) => issuer(p.jwt?.issuer, [...path, 'peers', i, 'jwt', 'issuer']));
  spec.origins?.forEach((o, i) => issuer(o.jwt?.issuer, [...path, 'origins', i, 'jwt', 'issuer']));
});
export type AuthnPolicy = Infer<typeof AuthnPolicySpec>;

const DEFAULT = 'default';

/** Policy: the target-less policy of a namespace is "default", and "default" has no targets. */
export function checkPolicyName(res: Resource, sink: Sink): void {
  const name = res.metadata.name ?? '';
  const targets = (res.spec as AuthnPolicy | undefined)?.targets ?? [];
  if (targets.length === 0 && name !== DEFAULT)
    sink.error(
      ['metadata', 'name'],
      `authentication policy with no target rules must be named "${DEFAULT}", found ${JSON.stringify(name)}`,
    );
  if (targets.length > 0 && name === DEFAULT)
    sink.error(
      ['spec', 'targets'],
      `authentication policy with name "${DEFAULT}" must not have any target rules`,
    );
}

/** MeshPolicy: one per mesh, named "default", applying to every workload (no targets). */
export function checkMeshPolicy(res: Resource, sink: Sink): void {
  const name = res.metadata.name ?? '';
  if (name !== DEFAULT)
    sink.error(
      ['metadata', 'name'],
      `cluster-scoped authentication policy name must be "${DEFAULT}", found ${JSON.stringify(name)}`,
    );
  if (((res.spec as AuthnPolicy | undefined)?.targets ?? []).length > 0)
    sink.error(['spec', 'targets'], 'cluster-scoped authentication policy must not have targets');
}
