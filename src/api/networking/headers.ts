// HTTP header names and values in VirtualService matches, header operations and CORS, as Istio
// validates them (ValidateHTTPHeader*Name, ValidateHTTPHeaderValue and Envoy's %VAR% syntax).
import type { Path, Sink } from '../schema/dsl.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);
// "@request.auth.claims.<name>" or "@request.auth.claims[<name>]…" (JWT claim based routing).
const JWT_CLAIM = /^@request\.auth\.claims(\.[^.[\]]+|(\[[^[\]]+\])+)$/;
// Control characters other than tab are never allowed in a header value.
const hasControlChar = (v: string): boolean =>
  [...v].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && code !== 0x09) || code === 0x7f;
  });

export const isJwtClaimHeader = (name: string): boolean => JWT_CLAIM.test(name);
export const isAuthorityHeader = (name: string): boolean =>
  name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';
const isInternalHeader = (name: string): boolean => name.startsWith(':') || name.toLowerCase() === 'host';

/** Header match keys: a token, a pseudo-header or a JWT claim. */
export function checkMatchHeaderName(name: string, path: Path, sink: Sink): void {
  if (name === '') sink.error(path, 'header name cannot be empty');
  else if (!isJwtClaimHeader(name) && !PSEUDO_HEADERS.has(name) && !TOKEN.test(name))
    sink.error(path, `header name ${name} is not a valid header name`);
}

/** CORS allow/expose headers: a token or "*". */
export function checkCorsHeaderName(name: string, path: Path, sink: Sink): void {
  if (name === '') sink.error(path, 'header name cannot be empty');
  else if (name !== '*' && !TOKEN.test(name))
    sink.error(path, `header name ${name} is not a valid header name`);
}

/** Request set/add: anything but a ":" pseudo-header (":authority"/"host" rewrite the authority). */
export function checkRequestSetName(name: string, path: Path, sink: Sink): void {
  if (name === '') sink.error(path, 'header name cannot be empty');
  else if (isInternalHeader(name) && !isAuthorityHeader(name))
    sink.error(path, `invalid header "${name}": header cannot have ":" prefix`);
}

/** Request remove and every response operation: no Host, no pseudo-headers. */
export function checkHeaderOperationName(name: string, path: Path, sink: Sink): void {
  if (name === '') sink.error(path, 'header name cannot be empty');
  else if (name.toLowerCase() === 'host')
    sink.error(path, `invalid header "${name}": cannot set Host header`);
  else if (isInternalHeader(name))
    sink.error(path, `invalid header "${name}": header cannot have ":" prefix`);
}

/** Envoy's custom header syntax: literal text, "%%", and %VAR% / %VAR(args)% / %VAR(["a","b"])%. */
function headerValueSyntaxError(v: string): string | undefined {
  let i = 0;
  while (i < v.length) {
    if (v[i] !== '%') {
      i++;
      continue;
    }
    if (i + 1 >= v.length) return 'invalid header configuration. Un-escaped %';
    if (v[i + 1] === '%') {
      i += 2;
      continue;
    }
    const end = scanVariable(v, i + 1);
    if (typeof end === 'string') return end;
    i = end;
  }
  return undefined;
}

/** Scans a %VAR…% from just after its opening %; returns the index after the closing % or an error. */
function scanVariable(v: string, start: number): number | string {
  let i = start;
  while (i < v.length && v[i] !== '%' && v[i] !== '(') i++;
  if (i >= v.length) return 'invalid header configuration. Un-terminated variable expression';
  if (v[i] === '%') return i + 1;
  // Arguments: either a JSON-ish array of strings or raw text up to ")".
  i++;
  while (v[i] === ' ') i++;
  if (v[i] === '[') {
    i++;
    for (;;) {
      while (v[i] === ' ') i++;
      if (v[i] !== '"') return "invalid header configuration. Expecting '\"'";
      i++;
      while (i < v.length && v[i] !== '"') i += v[i] === '\\' ? 2 : 1;
      if (i >= v.length) return 'invalid header configuration. Un-terminated backslash in JSON string';
      i++;
      while (v[i] === ' ') i++;
      if (v[i] === ',') {
        i++;
        continue;
      }
      if (v[i] === ']') break;
      return "invalid header configuration. Expecting ',', ']', or whitespace";
    }
    i++;
    while (v[i] === ' ') i++;
    if (v[i] !== ')') return "invalid header configuration. Expecting ')' or whitespace";
  } else {
    while (i < v.length && v[i] !== ')') i++;
  }
  i++;
  while (v[i] === ' ') i++;
  if (v[i] !== '%') return "invalid header configuration. Expecting '%' or whitespace after";
  return i + 1;
}

export function checkHeaderValue(value: string, path: Path, sink: Sink): void {
  if (hasControlChar(value)) {
    sink.error(path, `header value configuration ${JSON.stringify(value)} is invalid`);
    return;
  }
  const e = headerValueSyntaxError(value);
  if (e) sink.error(path, `header value configuration: ${e}`);
}
