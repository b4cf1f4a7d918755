// security.istio.io RequestAuthentication (v1, v1beta1): JWT rules (JWTRule, JWTHeader,
// ClaimToHeader) with the CRD's rules and Istio's ValidateRequestAuthentication / validateJwtRule.
import { arr, bool, duration, obj, str, type Infer } from '../schema/dsl.js';
import { checkJwks, checkJwksUri } from './jwks.js';
import { has, targetedSpec, targetingFields, withObjectRule } from './policy-targeting.js';

const nonEmpty = () => str({ minLength: 1 });

const JWTHeader = obj({ name: nonEmpty(), prefix: str() }, { required: ['name'] });

const ClaimToHeader = obj(
  {
    header: str({ minLength: 1, pattern: /^[-_A-Za-z0-9]+$/, patternHint: '^[-_A-Za-z0-9]+$' }),
    claim: nonEmpty(),
  },
  { required: ['header', 'claim'] },
);

const jwksUri = str({ minLength: 1, maxLength: 2048 }).refine(checkJwksUri);

export const JWTRuleSchema = withObjectRule(
  obj({
    issuer: nonEmpty(),
    audiences: arr(nonEmpty()),
    jwksUri,
    // The CRD also accepts the proto name (kubebuilder altName).
    jwks_uri: jwksUri,
    jwks: str().refine(checkJwks),
    fromHeaders: arr(JWTHeader),
    fromParams: arr(nonEmpty()),
    outputPayloadToHeader: str(),
    fromCookies: arr(nonEmpty()),
    forwardOriginalToken: bool(),
    outputClaimToHeaders: arr(ClaimToHeader),
    timeout: duration({ min: 0.001, minHint: '1ms' }),
    spaceDelimitedClaims: arr(nonEmpty(), { maxItems: 64 }),
  }),
  (v, path, sink) => {
    const sources = ['jwksUri', 'jwks_uri', 'jwks'].filter((k) => has(v, k));
    if (sources.length > 1)
      sink.error(path, `only one of jwks or jwksUri can be set (got ${sources.join(' and ')})`);
    if (!has(v, 'issuer') && !has(v, 'jwksUri') && !has(v, 'jwks_uri'))
      sink.error([...path, 'issuer'], 'issuer or jwksUri must be non-empty string');
  },
);
export type JWTRule = Infer<typeof JWTRuleSchema>;

export const RequestAuthenticationSpec = targetedSpec(
  obj({ ...targetingFields, jwtRules: arr(JWTRuleSchema, { maxItems: 4096 }) }),
);
export type RequestAuthentication = Infer<typeof RequestAuthenticationSpec>;
