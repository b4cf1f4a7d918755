// Envoy access-log command operators (%START_TIME%, %REQ(X?Y):N%, %RESPONSE_FLAGS% …), compiled
// once into an array of getters; text format strings and json_format share them.
import { ConfigError, type Msg } from '../config/proto.js';
import { formatFlags, type StreamInfo } from '../http/stream-info.js';

/** Envoy's default format (plain text, one line per request). */
export const DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

type Getter = (s: StreamInfo) => string | number | undefined;

function pseudo(s: StreamInfo, name: string): string | undefined {
  switch (name) {
    case ':method':
      return s.method;
    case ':path':
      return s.path;
    case ':authority':
      return s.authority;
    case ':status':
      return s.responseCode ? String(s.responseCode) : undefined;
    default:
      return undefined;
  }
}

function headerGetter(which: 'req' | 'resp' | 'trailer', arg: string, maxLen: number | undefined): Getter {
  const [a, b] = arg.toLowerCase().split('?') as [string, string | undefined];
  const one = (s: StreamInfo, n: string): string | undefined => {
    if (n.startsWith(':'))
      return which === 'req' ? pseudo(s, n) : which === 'resp' ? pseudo(s, n) : undefined;
    const h = which === 'req' ? s.requestHeaders : which === 'resp' ? s.responseHeaders : s.responseTrailers;
    return h.get(n);
  };
  return (s) => {
    let v = one(s, a);
    if (v === undefined && b) v = one(s, b);
    return v !== undefined && maxLen !== undefined ? v.slice(0, maxLen) : v;
  };
}

function startTime(fmt: string | undefined): Getter {
  if (!fmt) return (s) => new Date(s.startTime).toISOString();
  return (s) => strftime(new Date(s.startTime), fmt);
}

function strftime(d: Date, f: string): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return f.replace(/%(\d?)([YmdHMSzsf]|3f|6f|9f)/g, (_m, _w: string, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'm':
        return p(d.getUTCMonth() + 1);
      case 'd':
        return p(d.getUTCDate());
      case 'H':
        return p(d.getUTCHours());
      case 'M':
        return p(d.getUTCMinutes());
      case 'S':
        return p(d.getUTCSeconds());
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'z':
        return '+0000';
      case '3f':
        return p(d.getUTCMilliseconds(), 3);
      case '6f':
        return `${p(d.getUTCMilliseconds(), 3)}000`;
      default:
        return `${p(d.getUTCMilliseconds(), 3)}000000`;
    }
  });
}

function addrWithoutPort(a: string): string {
  const i = a.lastIndexOf(':');
  return i > 0 && !a.endsWith(']') ? a.slice(0, i).replace(/^\[|\]$/g, '') : a;
}

function operator(cmd: string, arg: string | undefined, maxLen: number | undefined, path: string): Getter {
  switch (cmd) {
    case 'START_TIME':
      return startTime(arg);
    case 'REQ':
    case 'RESP':
    case 'TRAILER':
      if (!arg) throw new ConfigError(path, `%${cmd}% needs a header name`);
      return headerGetter(cmd === 'REQ' ? 'req' : cmd === 'RESP' ? 'resp' : 'trailer', arg, maxLen);
    case 'PROTOCOL':
      return (s) => s.protocol;
    case 'RESPONSE_CODE':
      return (s) => s.responseCode;
    case 'RESPONSE_CODE_DETAILS':
      return (s) => s.responseCodeDetails || undefined;
    case 'RESPONSE_FLAGS':
      return (s) => formatFlags(s.responseFlags);
    case 'BYTES_RECEIVED':
      return (s) => s.bytesReceived;
    case 'BYTES_SENT':
      return (s) => s.bytesSent;
    case 'DURATION':
      return (s) => s.durationMs();
    case 'UPSTREAM_HOST':
      return (s) => s.upstreamHost || undefined;
    case 'UPSTREAM_CLUSTER':
      return (s) => s.upstreamCluster || undefined;
    case 'UPSTREAM_LOCAL_ADDRESS':
      return (s) => s.upstreamLocalAddress || undefined;
    case 'UPSTREAM_TRANSPORT_FAILURE_REASON':
      return (s) => s.upstreamTransportFailureReason || undefined;
    case 'DOWNSTREAM_REMOTE_ADDRESS':
      return (s) => s.downstreamRemoteAddress || undefined;
    case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
      return (s) => addrWithoutPort(s.downstreamRemoteAddress) || undefined;
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS':
      return (s) => s.downstreamDirectRemoteAddress || undefined;
    case 'DOWNSTREAM_LOCAL_ADDRESS':
      return (s) => s.downstreamLocalAddress || undefined;
    case 'DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT':
      return (s) => addrWithoutPort(s.downstreamLocalAddress) || undefined;
    case 'REQUESTED_SERVER_NAME':
      return (s) => s.requestedServerName || undefined;
    case 'DOWNSTREAM_PEER_URI_SAN':
      return (s) => s.downstreamSsl?.peerUriSans.join(',') || undefined;
    case 'DOWNSTREAM_LOCAL_URI_SAN':
      return (s) => s.downstreamSsl?.localUriSans.join(',') || undefined;
    case 'DOWNSTREAM_PEER_SUBJECT':
      return (s) => s.downstreamSsl?.peerSubject || undefined;
    case 'ROUTE_NAME':
      return (s) => s.routeName || undefined;
    case 'CONNECTION_TERMINATION_DETAILS':
      return (s) => s.connectionTerminationDetails || undefined;
    case 'HOSTNAME':
      return () => process.env.HOSTNAME;
    default:
      throw new ConfigError(path, `unsupported command operator %${cmd}%`);
  }
}

const OP = /%([A-Z_]+)(?:\(([^)]*)\))?(?::(\d+))?%/g;

/** Compiles a text format string; missing values print "-" as in Envoy. */
export function compileTextFormat(fmt: string, path = 'format'): (s: StreamInfo) => string {
  const parts: (string | Getter)[] = [];
  let last = 0;
  for (const m of fmt.matchAll(OP)) {
    if (m.index > last) parts.push(fmt.slice(last, m.index));
    parts.push(operator(m[1]!, m[2], m[3] ? Number(m[3]) : undefined, path));
    last = m.index + m[0].length;
  }
  if (last < fmt.length) parts.push(fmt.slice(last));
  return (s) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else {
        const v = p(s);
        out += v === undefined || v === '' ? '-' : v;
      }
    }
    return out;
  };
}

/** json_format: each value a format string; a lone operator keeps its type (numbers stay numbers). */
export function compileJsonFormat(spec: Msg, path = 'json_format'): (s: StreamInfo) => string {
  const fields: [string, Getter | ((s: StreamInfo) => string) | string][] = [];
  for (const [k, v] of Object.entries(spec)) {
    if (typeof v !== 'string')
      throw new ConfigError(`${path}.${k}`, 'nested json_format values are not supported');
    const lone = /^%([A-Z_]+)(?:\(([^)]*)\))?(?::(\d+))?%$/.exec(v);
    if (lone)
      fields.push([k, operator(lone[1]!, lone[2], lone[3] ? Number(lone[3]) : undefined, `${path}.${k}`)]);
    else if (v.includes('%')) fields.push([k, compileTextFormat(v, `${path}.${k}`)]);
    else fields.push([k, v]);
  }
  return (s) => {
    const o: Record<string, unknown> = {};
    for (const [k, g] of fields) {
      const v = typeof g === 'string' ? g : g(s);
      o[k] = v === undefined || v === '' ? null : v;
    }
    return `${JSON.stringify(o)}\n`;
  };
}
