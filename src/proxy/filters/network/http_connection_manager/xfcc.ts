// x-forwarded-client-cert (Envoy's forward_client_cert_details and set_current_client_cert_details):
// what the upstream app learns about the mTLS peer. Istio sets APPEND_FORWARD on sidecar inbound
// and SANITIZE_SET on gateways, so an app behind a sidecar sees `By=<own id>;Hash=…;URI=<peer id>`.
import { ConfigError, type Msg } from '../../../config/proto.js';
import type { HeaderMap } from '../../../http/header-map.js';
import type { SslInfo } from '../../../tls/ssl-info.js';

export const XFCC = 'x-forwarded-client-cert';

const MODES = ['SANITIZE', 'FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET', 'ALWAYS_FORWARD_ONLY'] as const;
export type XfccMode = (typeof MODES)[number];

export interface XfccConfig {
  readonly mode: XfccMode;
  readonly subject: boolean;
  readonly uri: boolean;
  readonly dns: boolean;
  readonly cert: boolean;
  readonly chain: boolean;
}

export function parseXfcc(c: Msg, path: string): XfccConfig {
  const mode = (c.forward_client_cert_details ?? 'SANITIZE') as XfccMode;
  if (!MODES.includes(mode))
    throw new ConfigError(`${path}.forward_client_cert_details`, `unknown mode ${String(mode)}`);
  const set: Msg = c.set_current_client_cert_details ?? {};
  return Object.freeze({
    mode,
    subject: Boolean(set.subject?.value),
    uri: Boolean(set.uri),
    dns: Boolean(set.dns),
    cert: Boolean(set.cert),
    chain: Boolean(set.chain),
  });
}

/** The element describing this connection's peer: By, Hash, then the details the config asks for. */
function element(cfg: XfccConfig, ssl: SslInfo): string {
  const parts = ssl.localUriSans.map((u) => `By=${u}`);
  parts.push(`Hash=${ssl.peerCertificateSha256}`);
  if (cfg.cert || cfg.chain) {
    const chain = ssl.peerChainPem();
    if (cfg.cert) parts.push(`Cert="${encodeURIComponent(chain[0] ?? '')}"`);
    if (cfg.chain) parts.push(`Chain="${encodeURIComponent(chain.join(''))}"`);
  }
  if (cfg.subject) parts.push(`Subject="${ssl.peerSubject}"`);
  if (cfg.uri) parts.push(`URI=${ssl.peerUriSans[0] ?? ''}`);
  if (cfg.dns) for (const d of ssl.peerDnsSans) parts.push(`DNS=${d}`);
  return parts.join(';');
}

/** Envoy's mutateXfccRequestHeader: without a presented client certificate only ALWAYS_FORWARD_ONLY keeps it. */
export function mutateXfcc(cfg: XfccConfig, ssl: SslInfo | undefined, h: HeaderMap): void {
  if (cfg.mode === 'ALWAYS_FORWARD_ONLY') return;
  if (!ssl?.peerCertificatePresented || cfg.mode === 'SANITIZE') {
    h.remove(XFCC);
    return;
  }
  if (cfg.mode === 'FORWARD_ONLY') return;
  const mine = element(cfg, ssl);
  const prior = h.get(XFCC);
  h.set(XFCC, cfg.mode === 'APPEND_FORWARD' && prior ? `${prior},${mine}` : mine);
}
