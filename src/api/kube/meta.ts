// Kubernetes validation helpers shared by the core and apps kinds: names in Kubernetes' own
// words, IANA port names, int-or-string ports, quantities and label selectors.
import { isDns1123Label, labels } from '../common.js';
import { any, arr, enumOf, int, obj, str, type Path, type Schema, type Sink } from '../schema/dsl.js';

export const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export const invalid = (v: unknown, msg: string): string => `Invalid value: ${JSON.stringify(v)}: ${msg}`;

/** A DNS-1123 label (container, port-less names, volume names). */
export const dnsLabel = (): Schema<string> =>
  str().refine((s, path, sink) => {
    if (!isDns1123Label(s)) sink.error(path, invalid(s, DNS1123_LABEL_MSG));
  });

/** IANA_SVC_NAME, as Kubernetes requires for named ports. */
export function ianaSvcNameError(s: string): string | undefined {
  if (s.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(s))
    return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  if (s.includes('--')) return 'must not contain consecutive hyphens';
  if (!/[a-z]/.test(s)) return 'must contain at least one letter (a-z)';
  if (s.startsWith('-') || s.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

export const portName = (): Schema<string> =>
  str().refine((s, path, sink) => {
    const e = ianaSvcNameError(s);
    if (e) sink.error(path, invalid(s, e));
  });

export function checkPortRange(p: number, path: Path, sink: Sink): void {
  if (p < 1 || p > 65535) sink.error(path, invalid(p, 'must be between 1 and 65535, inclusive'));
}

export const port = (): Schema<number> => int().refine(checkPortRange);

/** Kubernetes IntOrString: a number is checked as one, a string as the other (no guessing). */
export const intOrString = (asInt: Schema<number>, asString: Schema<string>): Schema<number | string> =>
  any().refine((v, path, sink) => {
    if (typeof v === 'number') asInt.check(v, path, sink);
    else if (typeof v === 'string') asString.check(v, path, sink);
    else sink.error(path, `must be of type integer or string, got ${Array.isArray(v) ? 'array' : typeof v}`);
  }) as Schema<number | string>;

/** IntOrString port: a number 1-65535 or an IANA port name. */
export const intOrStringPort = (): Schema<number | string> => intOrString(port(), portName());

export const protocol = (): Schema<'TCP' | 'UDP' | 'SCTP'> => enumOf(['TCP', 'UDP', 'SCTP']);

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][-+]?\d+)?$/;
/** resource.Quantity: "100m", "1Gi", 2. */
export const quantity = (): Schema<string | number> =>
  intOrString(
    int({ min: 0 }),
    str().refine((s, path, sink) => {
      if (!QUANTITY.test(s))
        sink.error(
          path,
          invalid(
            s,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
          ),
        );
    }),
  );

const SUFFIX: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
export function quantityValue(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(q);
  if (!m) return NaN;
  const suffix = m[2]!;
  return Number(m[1]) * (SUFFIX[suffix] ?? (suffix ? Number(`1${suffix}`) : 1));
}

/** metav1.LabelSelector */
export const LabelSelector = obj({
  matchLabels: labels(),
  matchExpressions: arr(
    obj(
      {
        key: str({ minLength: 1 }),
        operator: enumOf(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: arr(str()),
      },
      { required: ['key', 'operator'] },
    ).refine((e, path, sink) => {
      const n = e.values?.length ?? 0;
      if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0)
        sink.error(
          [...path, 'values'],
          "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        );
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0)
        sink.error(
          [...path, 'values'],
          "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        );
    }),
  ),
});
export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
};

/** Whether a selector selects a set of labels (metav1.LabelSelectorAsSelector semantics). */
export function selectorMatches(sel: LabelSelector, lbls: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (lbls[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key !== undefined && e.key in lbls;
    const val = e.key !== undefined ? lbls[e.key] : undefined;
    const inValues = val !== undefined && (e.values ?? []).includes(val);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Go's %v rendering of a map[string]string, as Kubernetes prints labels in messages. */
export function goMap(m: Record<string, string>): string {
  return `map[string]string{${Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(', ')}}`;
}
