// State-of-the-world ADS (StreamAggregatedResources): a request is an ACK, a NACK or a new
// subscription; responses carry every resource the watch covers (EDS and RDS may be partial),
// versioned by push and tagged with a fresh nonce. Requests with a stale nonce are ignored.
import { randomUUID } from 'node:crypto';
import type { Connection, RespondOptions, Responder, Watch } from './connection.js';
import type { DiscoveryServer } from './discovery-server.js';
import { ack, isWildcardType, nack, runStream, write, type AdsCall } from './stream.js';
import type { EncodedList } from './encoded-list.js';
import { encodeSotwResponse, type SotwRequest } from './wire.js';

export function serveSotw(server: DiscoveryServer, call: AdsCall<SotwRequest>, fixedType?: string): void {
  const responder = new SotwResponder(server, call);
  runStream(
    server,
    call,
    responder,
    (conn, req, typeUrl) => onRequest(server, conn, req, typeUrl),
    fixedType,
  );
}

function onRequest(server: DiscoveryServer, conn: Connection, req: SotwRequest, typeUrl: string): void {
  const { watch: w, created } = conn.watch(typeUrl);
  const nonce = req.response_nonce ?? '';
  // A first request may carry a nonce from a previous control plane: it is still a subscription.
  if (!created && nonce !== '') {
    if (nonce !== w.nonceSent) {
      server.log('debug', `${conn.id}: stale nonce ${nonce} for ${typeUrl} ignored`);
      return;
    }
    const version = req.version_info ?? '';
    if (req.error_detail) nack(server, conn, w, nonce, version, req.error_detail.message ?? '');
    else ack(w, nonce, version);
    // The usual ACK repeats the very bytes the names were set from: nothing to decode.
    if (req.namesKey !== undefined && req.namesKey === w.namesKey) return;
    if (w.sameNames(req.resource_names)) {
      w.namesKey = req.namesKey;
      return;
    }
  }
  const names = req.resource_names;
  w.wildcard =
    names.includes('*') || (names.length === 0 && isWildcardType(typeUrl) && (created || w.wildcard));
  w.setNames(names.filter((n) => n !== '*'));
  w.namesKey = req.namesKey;
  void server.respond(conn, w);
}

class SotwResponder implements Responder {
  readonly mode = 'sotw';

  constructor(
    private readonly server: DiscoveryServer,
    private readonly call: AdsCall<SotwRequest>,
  ) {}

  async respond(w: Watch, list: EncodedList, opts: RespondOptions): Promise<boolean> {
    if (!opts.force && w.nonceSent !== undefined && unchanged(w, list, opts)) return false;
    // Every proxy that gets this list in this version gets the same bytes: the nonce names the
    // version and the content. A stream that already had exactly that gets a fresh nonce, so a
    // nonce never repeats on a stream and stale requests stay recognisable.
    const shared = `${opts.version}#${list.fingerprint.slice(0, 12)}`;
    const response = {
      versionInfo: opts.version,
      typeUrl: w.typeUrl,
      nonce: w.useNonce(opts.version, shared) ? shared : randomUUID(),
      controlPlaneId: this.server.controlPlaneId,
    };
    const bytes =
      response.nonce === shared
        ? list.sotwResponse(response)
        : encodeSotwResponse({ ...response, framedResources: list.framedResources() });
    if (opts.partial && opts.covered) w.sent.update(opts.covered, list.items);
    else w.sent.replace(list);
    w.nonceSent = response.nonce;
    w.versionSent = opts.version;
    w.lastSentAt = this.server.clock.now();
    await write(this.call, bytes);
    return true;
  }
}

/** Whether the proxy already has exactly this content for the covered names. */
function unchanged(w: Watch, list: EncodedList, opts: RespondOptions): boolean {
  const covered = opts.covered;
  if (!opts.partial || !covered) return w.sent.equals(list);
  return covered.every((n) => w.sent.get(n)?.version === list.get(n)?.version);
}
