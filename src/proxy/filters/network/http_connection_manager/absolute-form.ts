// HTTP/1.1 absolute-form request targets (`GET http://host/path`): as Envoy's HTTP/1 codec does,
// the URL's authority replaces Host and its path becomes :path, so RBAC, routing and path
// normalisation see the host and path the app will act on (RFC 9112 §3.2.2 has servers ignore
// Host then) instead of `Host: allowed.example` with a target naming another host.
const ABSOLUTE = /^https?:\/\/([^/?#]*)(.*)$/i;

export interface RequestTarget {
  authority: string;
  path: string;
}

/** The authority and origin-form path of an absolute-form target; undefined for any other form. */
export function fromAbsoluteForm(target: string): RequestTarget | undefined {
  const m = ABSOLUTE.exec(target);
  if (!m) return undefined;
  const rest = m[2]!;
  return { authority: m[1]!, path: rest.startsWith('/') ? rest : `/${rest}` };
}
