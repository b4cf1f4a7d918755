// Rewrites a Mixer expression into CEL that @marcbachmann/cel-js can type-check and run:
// attributes become fields of one typed bag (`a.f_<name>`), `x | y` ("x if present, else y")
// becomes a has()-guarded conditional, and Mixer-only forms map to registered functions.
import { parse, type ASTNode } from '@marcbachmann/cel-js';
import { didYouMean } from '../../schema/suggest.js';
import type { AttributeVocabulary } from '../attributes.js';
import { lex, LexError, type Token } from './lexer.js';

/** Functions Mixer 1.1 knows (ast/func.go intrinsics and lang/externs.go), by how they are called. */
const FUNCTIONS = new Set([
  'ip',
  'timestamp',
  'dnsName',
  'email',
  'uri',
  'match',
  'emptyStringMap',
  'conditional',
  'conditionalString',
  'toLower',
  'size',
]);
const METHODS = new Set(['matches', 'startsWith', 'endsWith']);
/** CEL name of Mixer's `pattern.matches(str)`, whose receiver is the regex (unlike CEL's). */
export const REGEX_FN = 'regexMatches';
export const BAG = 'a';

export function fieldOf(attribute: string): string {
  return `f_${attribute.replace(/\./g, '__')}`;
}

// Go's time.ParseDuration grammar: Mixer types a string literal that parses as one as DURATION.
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

function goDurationSeconds(s: string): number | undefined {
  if (s === '0' || s === '+0' || s === '-0') return 0;
  if (!GO_DURATION.test(s)) return undefined;
  let ns = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    ns += Number(m[1]) * NANOS[m[2]!]!;
  return (s.startsWith('-') ? -ns : ns) / 1e9;
}

export type Translation = { ok: true; cel: string; attributes: string[] } | { ok: false; error: string };

class TranslateError extends Error {}

function isOp(t: Token | undefined, text: string): boolean {
  return t?.kind === 'op' && t.text === text;
}

/** Step 1: tokens → CEL text, resolving attribute names; `|` is carried as binary `-`. */
function prelim(tokens: Token[], vocab: AttributeVocabulary, used: Set<string>): string {
  const parts: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    if (t.kind === 'string') {
      const secs = goDurationSeconds(t.value);
      parts.push(secs === undefined ? JSON.stringify(t.value) : `duration("${secs}s")`);
      i++;
    } else if (t.kind === 'number') {
      const isInt = /^(0[xX][0-9a-fA-F]+|\d+)$/.test(t.text);
      if (isInt) parts.push(BigInt(t.text).toString());
      else {
        const n = String(Number(t.text));
        parts.push(/[.e]/.test(n) ? n : `${n}.0`);
      }
      i++;
    } else if (t.kind === 'op') {
      parts.push(t.text === '|' ? '-' : t.text);
      i++;
    } else if (isOp(prev, '.')) {
      // A method called on a parenthesised expression, literal or index result.
      if (!METHODS.has(t.text)) throw new TranslateError(`unknown function: ${t.text}`);
      parts.push(t.text === 'matches' ? `${REGEX_FN}` : t.text);
      i++;
    } else {
      // An identifier chain a.b.c, which Mixer reads as one flat attribute name.
      const chain = [t.text];
      let j = i + 1;
      while (isOp(tokens[j], '.') && tokens[j + 1]?.kind === 'ident') {
        chain.push((tokens[j + 1] as { text: string }).text);
        j += 2;
      }
      const call = isOp(tokens[j], '(');
      if (call && chain.length === 1) {
        if (!FUNCTIONS.has(t.text)) throw new TranslateError(`unknown function: ${t.text}`);
        parts.push(t.text);
      } else if (!call && chain.length === 1 && /^(true|false)$/i.test(t.text)) {
        parts.push(t.text.toLowerCase());
      } else {
        const method = call ? chain.pop()! : undefined;
        if (method !== undefined && !METHODS.has(method))
          throw new TranslateError(`unknown function: ${method}`);
        const name = chain.join('.');
        if (!vocab.has(name))
          throw new TranslateError(`unknown attribute ${name}${didYouMean(name, [...vocab.keys()])}`);
        used.add(name);
        parts.push(`${BAG}.${fieldOf(name)}`);
        if (method !== undefined) parts.push(`.${method === 'matches' ? REGEX_FN : method}`);
      }
      i = j;
    }
  }
  return parts.join(' ');
}

/** CEL text for an expression that is true when `n` would have a value in Mixer's `|`. */
function presence(n: ASTNode): string {
  switch (n.op) {
    case '.':
      return n.args[0].op === 'id' && n.args[0].args === BAG ? `has(${emit(n)})` : 'true';
    case '[]': {
      const target = presence(n.args[0]);
      const inMap = `${emit(n.args[1])} in ${emit(n.args[0])}`;
      return target === 'true' ? `(${inMap})` : `(${target} && ${inMap})`;
    }
    case '-': {
      const [l, r] = [presence(n.args[0]), presence(n.args[1])];
      return l === 'true' || r === 'true' ? 'true' : `(${l} || ${r})`;
    }
    case 'call':
      if (n.args[0] === 'conditional' && n.args[1].length === 3) {
        const [c, x, y] = n.args[1] as [ASTNode, ASTNode, ASTNode];
        return `(${emit(c)} ? ${presence(x)} : ${presence(y)})`;
      }
      return 'true';
    default:
      return 'true';
  }
}

function literal(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return /[.e]/.test(String(v)) ? String(v) : `${v}.0`;
  if (typeof v === 'boolean') return String(v);
  throw new TranslateError(`unexpected literal ${String(v)}`);
}

/** Step 2: CEL AST → final CEL, with Mixer's semantics for `|`, `[]` and conditional(). */
function emit(n: ASTNode): string {
  switch (n.op) {
    case 'value':
      return literal(n.args);
    case 'id':
      return n.args;
    case '.':
      return `${emit(n.args[0])}.${n.args[1]}`;
    case '[]': {
      // Mixer yields "" for a missing map key outside `|`.
      const [m, k] = [emit(n.args[0]), emit(n.args[1])];
      return `(${k} in ${m} ? ${m}[${k}] : "")`;
    }
    case 'call': {
      const [name, args] = n.args;
      if (name === 'conditional') {
        if (args.length !== 3)
          throw new TranslateError(
            `conditional arity mismatch. Got ${args.length} arg(s), expected 3 arg(s)`,
          );
        return `(${emit(args[0]!)} ? ${emit(args[1]!)} : ${emit(args[2]!)})`;
      }
      return `${name}(${args.map(emit).join(', ')})`;
    }
    case 'rcall': {
      const [name, target, args] = n.args;
      if (name === REGEX_FN) return `${REGEX_FN}(${[target, ...args].map(emit).join(', ')})`;
      return `${emit(target)}.${name}(${args.map(emit).join(', ')})`;
    }
    case '-': {
      const guard = presence(n.args[0]);
      const left = emit(n.args[0]);
      return guard === 'true' ? left : `(${guard} ? ${left} : ${emit(n.args[1])})`;
    }
    case '!_':
      return `!(${emit(n.args)})`;
    case '||':
    case '&&':
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '+':
      return `(${emit(n.args[0])} ${n.op} ${emit(n.args[1])})`;
    default:
      throw new TranslateError(`unexpected expression: ${n.op}`);
  }
}

/** Translates Mixer source into CEL over the bag variable, or explains why it cannot. */
export function translate(src: string, vocab: AttributeVocabulary): Translation {
  const used = new Set<string>();
  try {
    if (src.trim() === '')
      return { ok: false, error: `unable to parse expression '${src}': empty expression` };
    let tokens: Token[];
    try {
      tokens = lex(src);
    } catch (e) {
      if (e instanceof LexError)
        return { ok: false, error: `unable to parse expression '${src}': ${e.message}` };
      throw e;
    }
    const text = prelim(tokens, vocab, used);
    let ast: ASTNode;
    try {
      ast = parse(text).ast;
    } catch (e) {
      return { ok: false, error: `unable to parse expression '${src}': ${firstLine((e as Error).message)}` };
    }
    return { ok: true, cel: emit(ast), attributes: [...used] };
  } catch (e) {
    if (e instanceof TranslateError) return { ok: false, error: e.message };
    throw e;
  }
}

export function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
