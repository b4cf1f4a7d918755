// Istio's CA API: istio.v1.auth.IstioCertificateService/CreateCertificate over TLS (port 15012).
// The caller is authenticated by its current mesh certificate (renewal) or by a per-pod
// bootstrap token (first issue); the certificate's identity comes from that, never from the CSR.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { experimental } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { CaError, type CertificateAuthority } from './authority.js';
import { x509 } from './keys.js';
import { parseSpiffeUri, spiffeUri, type Identity } from './spiffe.js';

// The wire messages of istio/api security/v1alpha1/ca.proto (field numbers are the contract).
const CA_PROTO = `
syntax = "proto3";
package istio.v1.auth;
import "google/protobuf/struct.proto";
message IstioCertificateRequest {
  string csr = 1;
  int64 validity_duration = 3;
  google.protobuf.Struct metadata = 4;
}
message IstioCertificateResponse {
  repeated string cert_chain = 1;
}
`;

const root = protobuf.Root.fromJSON(protobuf.common.get('google/protobuf/struct.proto')!);
protobuf.parse(CA_PROTO, root, { keepCase: true });
root.resolveAll();
const RequestType = root.lookupType('istio.v1.auth.IstioCertificateRequest');
const ResponseType = root.lookupType('istio.v1.auth.IstioCertificateResponse');

export interface CertificateRequest {
  csr: string;
  /** Requested lifetime in seconds (0 or absent: the CA's default). */
  validity_duration?: number | string;
}

export interface CertificateResponse {
  cert_chain: string[];
}

export const CA_SERVICE_PATH = '/istio.v1.auth.IstioCertificateService/CreateCertificate';

export const caServiceDefinition: grpc.ServiceDefinition = {
  CreateCertificate: {
    path: CA_SERVICE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: CertificateRequest) =>
      Buffer.from(RequestType.encode(RequestType.fromObject(m)).finish()),
    requestDeserialize: (b: Buffer) =>
      RequestType.toObject(RequestType.decode(b), { longs: Number }) as CertificateRequest,
    responseSerialize: (m: CertificateResponse) =>
      Buffer.from(ResponseType.encode(ResponseType.fromObject(m)).finish()),
    responseDeserialize: (b: Buffer) => ResponseType.toObject(ResponseType.decode(b)) as CertificateResponse,
  },
};

/** Per-pod bootstrap credentials the local runtime hands out (a service-account token's role). */
export class BootstrapTokens {
  private readonly tokens = new Map<string, Identity>();

  issue(identity: Identity): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, identity);
    return token;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  authenticate(presented: string): Identity | undefined {
    const p = Buffer.from(presented);
    for (const [token, id] of this.tokens) {
      const t = Buffer.from(token);
      if (t.length === p.length && timingSafeEqual(t, p)) return id;
    }
    return undefined;
  }
}

const SAN_OID = '2.5.29.17';

/** URI SANs among parsed extensions (found by OID: getExtension() misses CSR attributes). */
function sanUris(extensions: readonly x509.Extension[]): string[] {
  const san = extensions.find((e) => e.type === SAN_OID);
  if (!san) return [];
  const names = new x509.SubjectAlternativeNameExtension(san.rawData).names.toJSON();
  return names.filter((n) => n.type === 'url').map((n) => n.value);
}

/** Verifies a peer certificate against the CA's trust and returns its SPIFFE identity. */
async function peerIdentity(ca: CertificateAuthority, raw: Buffer): Promise<Identity | undefined> {
  const cert = new x509.X509Certificate(raw);
  const now = Date.now();
  if (cert.notBefore.getTime() > now || cert.notAfter.getTime() < now) return undefined;
  const issuers = [ca.signingCertificate(), ...ca.trustBundle()];
  let signed = false;
  for (const pem of issuers) {
    if (await cert.verify({ publicKey: new x509.X509Certificate(pem).publicKey, signatureOnly: true })) {
      signed = true;
      break;
    }
  }
  if (!signed) return undefined;
  const uri = sanUris(cert.extensions)[0];
  return uri ? parseSpiffeUri(uri) : undefined;
}

/** URI SANs a CSR asks for; a request for anything but the caller's own identity is refused. */
function csrUris(csrPem: string): string[] {
  try {
    return sanUris(new x509.Pkcs10CertificateRequest(csrPem).extensions);
  } catch {
    return [];
  }
}

export interface CaServiceOptions {
  ca: CertificateAuthority;
  tokens: BootstrapTokens;
  log?: (msg: string) => void;
}

async function authenticate(
  call: grpc.ServerUnaryCall<CertificateRequest, CertificateResponse>,
  opts: CaServiceOptions,
): Promise<Identity> {
  const peer = call.getAuthContext().sslPeerCertificate;
  if (peer?.raw) {
    const id = await peerIdentity(opts.ca, peer.raw);
    if (id) return id;
  }
  const auth = call.metadata.get('authorization')[0];
  const m = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  if (m) {
    const id = opts.tokens.authenticate(m[1]!.trim());
    if (id) return id;
    throw new CaError('UNAUTHENTICATED', 'bootstrap token is not valid');
  }
  throw new CaError(
    'UNAUTHENTICATED',
    peer?.raw
      ? 'client certificate is not from this mesh CA, expired, or has no SPIFFE identity'
      : 'no credential presented',
  );
}

/** Adds the CA service to a gRPC server (the control plane shares one server for xDS and CA). */
export function addCaService(server: grpc.Server, opts: CaServiceOptions): void {
  const log = opts.log ?? (() => undefined);
  server.addService(caServiceDefinition, {
    CreateCertificate: (
      call: grpc.ServerUnaryCall<CertificateRequest, CertificateResponse>,
      done: grpc.sendUnaryData<CertificateResponse>,
    ) => {
      void (async () => {
        try {
          const identity = await authenticate(call, opts);
          const want = spiffeUri(identity);
          const asked = csrUris(call.request.csr ?? '');
          const other = asked.find((u) => u !== want);
          if (other)
            throw new CaError(
              'PERMISSION_DENIED',
              `the CSR asks for identity ${other}, but the caller is authenticated as ${want}`,
            );
          const chain = await opts.ca
            .sign(call.request.csr ?? '', identity, {
              ttlSeconds: Number(call.request.validity_duration ?? 0),
            })
            .catch((e: Error) => {
              // Istio words every signing failure this way (caller and CSR checks come first).
              throw e instanceof CaError ? new CaError(e.status, `CSR signing error (${e.message})`) : e;
            });
          log(`issued certificate for ${want}`);
          done(null, { cert_chain: chain });
        } catch (e) {
          const status = e instanceof CaError ? grpc.status[e.status] : grpc.status.INTERNAL;
          log(`CreateCertificate refused (${call.getPeer()}): ${(e as Error).message}`);
          done({ code: status, details: (e as Error).message });
        }
      })();
    },
  });
}

/**
 * Serving certificate and trust roots for a gRPC server, replaceable at runtime (root rotation,
 * serving-cert renewal) without restarting it. Listeners are called asynchronously because
 * grpc-js registers its watcher only after adding the provider's listeners.
 */
export class MutableCertificateProvider implements experimental.CertificateProvider {
  private ca: experimental.CaCertificateUpdate;
  private identity: experimental.IdentityCertificateUpdate;
  private readonly caListeners = new Set<experimental.CaCertificateUpdateListener>();
  private readonly idListeners = new Set<experimental.IdentityCertificateUpdateListener>();

  constructor(rootsPem: string, certChainPem: string, keyPem: string) {
    this.ca = { caCertificate: Buffer.from(rootsPem) };
    this.identity = { certificate: Buffer.from(certChainPem), privateKey: Buffer.from(keyPem) };
  }

  update(rootsPem: string, certChainPem?: string, keyPem?: string): void {
    this.ca = { caCertificate: Buffer.from(rootsPem) };
    if (certChainPem && keyPem)
      this.identity = { certificate: Buffer.from(certChainPem), privateKey: Buffer.from(keyPem) };
    for (const l of this.caListeners) l(this.ca);
    for (const l of this.idListeners) l(this.identity);
  }

  addCaCertificateListener(l: experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(l);
    setImmediate(() => this.caListeners.has(l) && l(this.ca));
  }
  removeCaCertificateListener(l: experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(l);
  }
  addIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    this.idListeners.add(l);
    setImmediate(() => this.idListeners.has(l) && l(this.identity));
  }
  removeIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    this.idListeners.delete(l);
  }
}

/** TLS credentials for 15012: client certificates requested (renewal) but optional (first issue). */
export function caServerCredentials(provider: MutableCertificateProvider): grpc.ServerCredentials {
  return experimental.createCertificateProviderServerCredentials(provider, provider, false);
}
