// Tokens of Mixer's expression language (CEXL), which Istio 1.1 reads with Go's expression
// syntax: identifiers, "…"/`…`/'…' literals, numbers and the operators || && == != < <= > >= ! | + .
export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number };

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '|', '+', '(', ')', '[', ']', ',', '.'];
// Go operators that parse but that Mixer has no function for (mixer/pkg/lang/ast tMap → FuncMap).
const UNSUPPORTED: Record<string, string> = {
  '-': 'SUB',
  '*': 'MUL',
  '/': 'QUO',
  '%': 'REM',
  '^': 'XOR',
  '&': 'AND',
};
const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

export class LexError extends Error {}

function readQuoted(src: string, start: number, quote: string): { value: string; end: number } {
  let out = '';
  let i = start + 1;
  while (i < src.length && src[i] !== quote) {
    const c = src[i]!;
    if (c === '\n') break;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1] ?? '';
    if (ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = src.slice(i + 2, i + 2 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new LexError(`invalid escape \\${e}${hex}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + n;
    } else if (/[0-7]/.test(e)) {
      const oct = src.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) throw new LexError(`invalid octal escape \\${oct}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 4;
    } else throw new LexError(`unknown escape sequence \\${e}`);
  }
  if (src[i] !== quote) throw new LexError('string literal not terminated');
  return { value: out, end: i + 1 };
}

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0], pos });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(src.slice(i))!;
      out.push({ kind: 'number', text: m[0], pos });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      const { value, end } = readQuoted(src, i, c);
      if (c === "'" && [...value].length !== 1) throw new LexError('illegal rune literal');
      out.push({ kind: 'string', value, pos });
      i = end;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new LexError('raw string literal not terminated');
      out.push({ kind: 'string', value: src.slice(i + 1, end), pos });
      i = end + 1;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) {
        const fn = UNSUPPORTED[c];
        throw new LexError(fn ? `unknown function: ${fn}` : `illegal character ${JSON.stringify(c)}`);
      }
      out.push({ kind: 'op', text: op, pos });
      i += op.length;
    }
  }
  return out;
}
