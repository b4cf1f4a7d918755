// Compiles Mixer expressions (rule match, instance params, header values): type-checks them
// against the attribute vocabulary like Mixer's checker, and evaluates them on an attribute bag.
import { Environment } from '@marcbachmann/cel-js';
import { Duration } from '@marcbachmann/cel-js/evaluator';
import { RE2JS } from 're2js';
import { DEFAULT_VOCABULARY, type AttributeVocabulary, type ValueType } from '../attributes.js';
import { BAG, fieldOf, firstLine, REGEX_FN, translate } from './translate.js';
import { DNSName, EmailAddress, globMatch, IPAddress, URI } from './values.js';

const CEL_TYPE: Record<ValueType, string> = {
  STRING: 'string',
  INT64: 'int',
  DOUBLE: 'double',
  BOOL: 'bool',
  TIMESTAMP: 'google.protobuf.Timestamp',
  DURATION: 'google.protobuf.Duration',
  STRING_MAP: 'map<string, string>',
  IP_ADDRESS: 'IPAddress',
  DNS_NAME: 'DNSName',
  EMAIL_ADDRESS: 'EmailAddress',
  URI: 'URI',
};
const MIXER_TYPE = new Map(Object.entries(CEL_TYPE).map(([k, v]) => [v, k as ValueType]));

/** A value as callers pass it in a bag: JS-native forms are converted to the attribute's type. */
export type AttributeBag = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;
/** What evaluate() returns: INT64 → number, DURATION → milliseconds, IP/DNS/EMAIL/URI → string. */
export type MixerValue = string | number | boolean | Date | Record<string, string>;

export type CompiledExpression =
  | {
      ok: true;
      type: ValueType;
      /** Attributes the expression reads (Mixer's referenced attributes). */
      attributes: readonly string[];
      /** Throws an Error naming the missing attribute or the failing conversion. */
      evaluate(attrs: AttributeBag): MixerValue;
    }
  | { ok: false; error: string };

class Bag extends Map<string, unknown> {}

function buildEnv(vocab: AttributeVocabulary): Environment {
  const fields: Record<string, string> = {};
  for (const [name, type] of vocab) fields[fieldOf(name)] = CEL_TYPE[type];
  const env = new Environment()
    .registerType('IPAddress', IPAddress)
    .registerType('DNSName', DNSName)
    .registerType('EmailAddress', EmailAddress)
    .registerType('URI', URI)
    .registerType('Bag', { ctor: Bag, fields })
    .registerVariable(BAG, 'Bag')
    .registerFunction('ip(string): IPAddress', (s: string) => IPAddress.parse(s))
    .registerFunction('dnsName(string): DNSName', (s: string) => DNSName.parse(s))
    .registerFunction('email(string): EmailAddress', (s: string) => EmailAddress.parse(s))
    .registerFunction('uri(string): URI', (s: string) => URI.parse(s))
    .registerFunction('match(string, string): bool', globMatch)
    .registerFunction(`${REGEX_FN}(string, string): bool`, (re: string, s: string) =>
      RE2JS.compile(re).matcher(s).find(),
    )
    .registerFunction('toLower(string): string', (s: string) => s.toLowerCase())
    .registerFunction('emptyStringMap(): map<string, string>', () => new Map<string, string>())
    .registerFunction(
      'conditionalString(bool, string, string): string',
      (c: boolean, x: string, y: string) => (c ? x : y),
    );
  // Registering == also gives != (cel-js derives it).
  for (const t of ['IPAddress', 'DNSName', 'EmailAddress', 'URI'])
    env.registerOperator(`${t} == ${t}`, (x: { equals(o: unknown): boolean }, y: unknown) => x.equals(y));
  return env;
}

const envs = new WeakMap<AttributeVocabulary, Environment>();
function envFor(vocab: AttributeVocabulary): Environment {
  let env = envs.get(vocab);
  if (!env) envs.set(vocab, (env = buildEnv(vocab)));
  return env;
}

// CEL's names for types and bag fields, rewritten to Mixer's in messages.
function mixerMessage(msg: string, fieldToAttr: Map<string, string>): string {
  let out = firstLine(msg).replace(/\ba\.(f_\w+)|\b(f_\w+)/g, (m, a?: string, b?: string) => {
    const name = fieldToAttr.get((a ?? b)!);
    return name ?? m;
  });
  for (const [cel, mixer] of [...MIXER_TYPE].sort((x, y) => y[0].length - x[0].length))
    out = out.split(cel).join(mixer);
  return out
    .replace(/\bint\b/g, 'INT64')
    .replace(/\bdouble\b/g, 'DOUBLE')
    .replace(/\bbool\b/g, 'BOOL');
}

function toCel(type: ValueType, v: unknown, name: string): unknown {
  const bad = (): never => {
    throw new Error(`attribute ${name} has a value that is not ${type}: ${typeof v}`);
  };
  switch (type) {
    case 'INT64':
      return typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : bad();
    case 'DOUBLE':
      return typeof v === 'number' ? v : bad();
    case 'DURATION':
      return v instanceof Duration ? v : typeof v === 'number' ? Duration.fromMilliseconds(v) : bad();
    case 'TIMESTAMP':
      return v instanceof Date ? v : bad();
    case 'STRING_MAP':
      return v instanceof Map ? v : typeof v === 'object' && v !== null ? new Map(Object.entries(v)) : bad();
    case 'IP_ADDRESS':
      return v instanceof IPAddress
        ? v
        : v instanceof Uint8Array
          ? IPAddress.fromBytes(v)
          : typeof v === 'string'
            ? IPAddress.parse(v)
            : bad();
    case 'DNS_NAME':
      return typeof v === 'string' ? new DNSName(v) : bad();
    case 'EMAIL_ADDRESS':
      return typeof v === 'string' ? new EmailAddress(v) : bad();
    case 'URI':
      return typeof v === 'string' ? new URI(v) : bad();
    case 'STRING':
      return typeof v === 'string' ? v : bad();
    case 'BOOL':
      return typeof v === 'boolean' ? v : bad();
  }
}

function fromCel(v: unknown): MixerValue {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Duration) return v.valueOf();
  if (v instanceof Map) return Object.fromEntries(v) as Record<string, string>;
  if (v instanceof IPAddress || v instanceof DNSName || v instanceof EmailAddress || v instanceof URI)
    return v.toString();
  return v as MixerValue;
}

/**
 * Parses and type-checks a Mixer expression. With `expectedType`, the result must have that
 * type (Mixer: "expression '…' evaluated to type STRING, expected type BOOL").
 */
export function compileMixerExpression(
  expr: string,
  expectedType?: ValueType,
  vocab: AttributeVocabulary = DEFAULT_VOCABULARY,
): CompiledExpression {
  const tr = translate(expr, vocab);
  if (!tr.ok) return tr;
  const env = envFor(vocab);
  const fieldToAttr = new Map(tr.attributes.map((a) => [fieldOf(a), a]));
  const checked = env.check(tr.cel);
  if (!checked.valid)
    return {
      ok: false,
      error: `expression '${expr}': ${mixerMessage(checked.error?.message ?? 'invalid', fieldToAttr)}`,
    };
  const type = MIXER_TYPE.get(checked.type ?? '');
  if (!type)
    return { ok: false, error: `expression '${expr}' evaluated to unsupported type ${checked.type}` };
  if (expectedType && type !== expectedType)
    return {
      ok: false,
      error: `expression '${expr}' evaluated to type ${type}, expected type ${expectedType}`,
    };
  const program = env.parse(tr.cel);
  const attributes = tr.attributes;
  return {
    ok: true,
    type,
    attributes,
    evaluate(attrs: AttributeBag): MixerValue {
      const bag = new Bag();
      for (const name of attributes) {
        const v = attrs instanceof Map ? attrs.get(name) : (attrs as Record<string, unknown>)[name];
        if (v !== undefined && v !== null) bag.set(fieldOf(name), toCel(vocab.get(name)!, v, name));
      }
      try {
        return fromCel(program({ [BAG]: bag }));
      } catch (e) {
        const missing = /No such key: (f_\w+)/.exec((e as Error).message);
        const attr = missing && fieldToAttr.get(missing[1]!);
        if (attr) throw new Error(`lookup failed: '${attr}'`, { cause: e });
        throw new Error(mixerMessage((e as Error).message, fieldToAttr), { cause: e });
      }
    },
  };
}
