// Incremental ADS (DeltaAggregatedResources): clients subscribe and unsubscribe by name (or "*"),
// report what they already have on reconnect, and get only resources whose version changed plus
// removed_resources for what went away. Resource versions are content hashes.
import { randomUUID } from 'node:crypto';
import type { Connection, RespondOptions, Responder, Watch } from './connection.js';
import type { DiscoveryServer } from './discovery-server.js';
import { ack, isWildcardType, nack, runStream, write, type AdsCall } from './stream.js';
import type { EncodedList } from './encoded-list.js';
import { encodeDeltaResponse, type DeltaRequest } from './wire.js';

export function serveDelta(server: DiscoveryServer, call: AdsCall<DeltaRequest>, fixedType?: string): void {
  const responder = new DeltaResponder(server, call);
  runStream(
    server,
    call,
    responder,
    (conn, req, typeUrl) => onRequest(server, conn, req, typeUrl),
    fixedType,
  );
}

function onRequest(server: DiscoveryServer, conn: Connection, req: DeltaRequest, typeUrl: string): void {
  const { watch: w, created } = conn.watch(typeUrl);
  const nonce = req.response_nonce ?? '';
  if (nonce !== '' && !created) {
    if (nonce !== w.nonceSent) server.log('debug', `${conn.id}: stale nonce ${nonce} for ${typeUrl} ignored`);
    else if (req.error_detail)
      nack(server, conn, w, nonce, w.versionSent ?? '', req.error_detail.message ?? '');
    else ack(w, nonce, w.versionSent ?? '');
  }
  const subscribe = req.resource_names_subscribe ?? [];
  const unsubscribe = req.resource_names_unsubscribe ?? [];
  if (created) {
    for (const [name, version] of Object.entries(req.initial_resource_versions ?? {}))
      w.clientVersions.set(name, version);
    w.wildcard = subscribe.length === 0 && isWildcardType(typeUrl);
  }
  for (const n of subscribe) {
    if (n === '*') w.wildcard = true;
    else w.subscribe(n);
  }
  for (const n of unsubscribe) {
    if (n === '*') {
      w.wildcard = false;
      continue;
    }
    w.unsubscribe(n);
    w.sent.delete(n);
    w.clientVersions.delete(n);
  }
  if (created || subscribe.length > 0) void server.respond(conn, w);
}

class DeltaResponder implements Responder {
  readonly mode = 'delta';

  constructor(
    private readonly server: DiscoveryServer,
    private readonly call: AdsCall<DeltaRequest>,
  ) {}

  async respond(w: Watch, list: EncodedList, opts: RespondOptions): Promise<boolean> {
    const resources = list.items;
    const known = (n: string): string | undefined => w.sent.get(n)?.version ?? w.clientVersions.get(n);
    const changed = resources.filter((r) => known(r.name) !== r.version);
    const present = new Set(resources.map((r) => r.name));
    const candidates = opts.covered ?? [...w.sent.names(), ...w.clientVersions.keys()];
    // Named resources that do not exist are reported removed when asked for (xDS "does not exist").
    const removed = [...new Set(candidates)].filter(
      (n) => !present.has(n) && (known(n) !== undefined || (opts.force && opts.covered !== undefined)),
    );
    const first = w.nonceSent === undefined;
    if (changed.length === 0 && removed.length === 0 && !(opts.force && first)) return false;
    const nonce = randomUUID();
    const bytes = encodeDeltaResponse({
      systemVersionInfo: opts.version,
      typeUrl: w.typeUrl,
      nonce,
      resources: changed,
      removed,
      controlPlaneId: this.server.controlPlaneId,
    });
    w.sent.update(removed, changed);
    for (const n of [...removed, ...changed.map((r) => r.name)]) w.clientVersions.delete(n);
    w.nonceSent = nonce;
    w.versionSent = opts.version;
    w.lastSentAt = this.server.clock.now();
    await write(this.call, bytes);
    return true;
  }
}
