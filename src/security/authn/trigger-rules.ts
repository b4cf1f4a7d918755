// Istio 1.1 JWT `triggerRules` as Envoy route-match conditions on `:path`. A rule triggers when the
// request path (without its query string) matches none of its excludedPaths and, if it lists
// includedPaths, one of them; an origin with rules is validated only where one of them triggers
// (istio/proxy AuthnUtils::ShouldValidateJwtPerPath). The result is a disjunction of clauses, each
// a list of HeaderMatchers that must all hold.
import type { AuthnPolicy } from '../../api/security/index.js';
import type { Json } from '../envoy.js';
import { quoteMeta } from '../matchers.js';

type Jwt = NonNullable<NonNullable<AuthnPolicy['origins']>[number]['jwt']>;
type TriggerRule = NonNullable<Jwt['triggerRules']>[number];
type StringMatch = NonNullable<TriggerRule['includedPaths']>[number];

/** Header matchers that must all hold. */
export type Clause = readonly Json[];

// `:path` carries the query string; the 1.1 rules look at the path before it.
const QUERY = '(\\?.*)?';

function pathMatcher(m: StringMatch, invert: boolean): Json {
  const string_match =
    m.prefix !== undefined
      ? { prefix: m.prefix }
      : {
          safe_regex: {
            regex:
              m.exact !== undefined
                ? `${quoteMeta(m.exact)}${QUERY}`
                : m.suffix !== undefined
                  ? `[^?]*${quoteMeta(m.suffix)}${QUERY}`
                  : `(?:${m.regex ?? ''})${QUERY}`,
          },
        };
  return { name: ':path', string_match, ...(invert && { invert_match: true }) };
}

function ruleClauses(r: TriggerRule): Clause[] {
  const excluded = (r.excludedPaths ?? []).map((m) => pathMatcher(m, true));
  const included = r.includedPaths ?? [];
  if (included.length === 0) return [excluded];
  return included.map((m) => [pathMatcher(m, false), ...excluded]);
}

/** Where a JWT must be validated: `undefined` for every path (no trigger rules). */
export function triggerClauses(jwt: Jwt): Clause[] | undefined {
  const rules = jwt.triggerRules ?? [];
  return rules.length === 0 ? undefined : rules.flatMap(ruleClauses);
}

/** The clauses under which every one of several conditions holds (their conjunction, distributed). */
export function allOf(conditions: readonly (readonly Clause[])[]): Clause[] {
  return conditions.reduce<Clause[]>((acc, c) => acc.flatMap((a) => c.map((b) => [...a, ...b])), [[]]);
}
