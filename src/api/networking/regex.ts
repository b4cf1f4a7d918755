// Regular expressions in StringMatch.regex, rewrite and proxyVersion: Envoy and Istio use RE2,
// so they compile with re2js here; constructs that a JavaScript RegExp would read differently
// get a warning, since tools and tests written in JS often reuse these patterns.
import { RE2JS } from 're2js';
import type { Path, Sink } from '../schema/dsl.js';

const RE2_DOC = 'Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)';

/** RE2 escapes and groups that JavaScript reads differently, found by walking the pattern. */
function jsDifferences(re: string): string[] {
  const out = new Set<string>();
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      const n = re[i + 1] ?? '';
      if (n === 'A' || n === 'z')
        out.add(`\\${n} anchors the whole text in RE2 but is a literal "${n}" in JavaScript`);
      else if (n === 'Q') out.add('\\Q…\\E quotes literal text in RE2 but is not supported in JavaScript');
      else if (n === 'C') out.add('\\C matches one byte in RE2 but is a literal "C" in JavaScript');
      else if (n === 's' || n === 'S')
        out.add(
          `\\${n} is ASCII whitespace [\\t\\n\\f\\r ] in RE2 but also matches \\v and Unicode spaces in JavaScript`,
        );
      else if (n === 'p' || n === 'P')
        out.add(
          `\\${n} Unicode classes need the "u" flag in JavaScript and differ in the classes they accept`,
        );
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && re[i + 1] === ':')
        out.add(
          'POSIX classes like [[:alpha:]] work in RE2 but JavaScript reads them as a set of characters',
        );
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (re[i + 1] === '^') i++;
      if (re[i + 1] === ']') i++; // a leading "]" is a literal inside a class
      continue;
    }
    if (c === '(' && re[i + 1] === '?') {
      if (re[i + 2] === 'P' && re[i + 3] === '<')
        out.add('(?P<name>…) is RE2 named-group syntax; JavaScript writes (?<name>…)');
      else if (/^[imsU-]/.test(re[i + 2] ?? ''))
        out.add('inline flags like (?i) are RE2 syntax that JavaScript (Node 20) rejects');
    }
    if (c === '.')
      out.add('"." does not match "\\n" in RE2 but in JavaScript it also excludes "\\r", U+2028 and U+2029');
  }
  return [...out];
}

/** Istio's validateStringRegexp: at most 1024 chars and valid RE2; `where` names the field in messages. */
export function checkRegex(re: string, where: string, path: Path, sink: Sink): void {
  if (re.length > 1024) {
    sink.error(path, `"${where}": regex is too large, max length allowed is 1024`);
    return;
  }
  try {
    RE2JS.compile(re);
  } catch (e) {
    sink.error(path, `"${where}": ${(e as Error).message}; ${RE2_DOC}`);
    return;
  }
  for (const d of jsDifferences(re)) sink.warn(path, `"${where}": ${d}`);
}
