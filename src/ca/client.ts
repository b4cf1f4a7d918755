// The agent's CA client: asks IstioCertificateService/CreateCertificate for a workload
// certificate, authenticating with its current certificate (renewal) or its bootstrap token.
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createCsr } from './csr.js';
import { caServiceDefinition, type CertificateRequest, type CertificateResponse } from './server.js';
import type { Identity } from './spiffe.js';

export interface WorkloadCertificate {
  keyPem: string;
  /** Leaf first, then intermediates (no root). */
  certChainPem: string;
  /** The root(s) the chain leads to, as the CA returned them. */
  rootPem: string;
  notAfter: Date;
  notBefore: Date;
}

export interface CaClientOptions {
  /** host:port of the CA (15012). */
  address: string;
  /** PEM roots used to verify the CA's serving certificate. */
  caRootsPem: string;
  /** Name the CA's serving certificate must carry (default istiod.istio-system.svc). */
  serverName?: string;
  identity: Identity;
  /** First issue: the per-pod bootstrap token. */
  token?: string;
  /** Renewal: authenticate with the current certificate. */
  current?: WorkloadCertificate;
  ttlSeconds?: number;
  deadlineMs?: number;
}

const CaClient = grpc.makeGenericClientConstructor(caServiceDefinition, 'IstioCertificateService');

export async function requestCertificate(opts: CaClientOptions): Promise<WorkloadCertificate> {
  const { keyPem, csrPem } = await createCsr(opts.identity);
  const creds = grpc.credentials.createSsl(
    Buffer.from(opts.caRootsPem),
    opts.current ? Buffer.from(opts.current.keyPem) : null,
    opts.current ? Buffer.from(opts.current.certChainPem) : null,
  );
  const client = new CaClient(opts.address, creds, {
    'grpc.ssl_target_name_override': opts.serverName ?? 'istiod.istio-system.svc',
    'grpc.default_authority': opts.serverName ?? 'istiod.istio-system.svc',
  });
  const md = new grpc.Metadata();
  if (opts.token && !opts.current) md.set('authorization', `Bearer ${opts.token}`);
  const req: CertificateRequest = { csr: csrPem, validity_duration: opts.ttlSeconds ?? 0 };
  try {
    const res = await new Promise<CertificateResponse>((resolve, reject) => {
      (
        client as unknown as {
          CreateCertificate: (
            r: CertificateRequest,
            m: grpc.Metadata,
            o: grpc.CallOptions,
            cb: (e: grpc.ServiceError | null, r?: CertificateResponse) => void,
          ) => void;
        }
      ).CreateCertificate(req, md, { deadline: Date.now() + (opts.deadlineMs ?? 10_000) }, (e, r) =>
        e ? reject(e) : resolve(r!),
      );
    });
    const chain = res.cert_chain ?? [];
    if (chain.length < 2) throw new Error(`CA returned ${chain.length} certificates; expected leaf and root`);
    const leaf = new X509Certificate(chain[0]!);
    return {
      keyPem,
      certChainPem: chain.slice(0, -1).join(''),
      rootPem: chain[chain.length - 1]!,
      notBefore: new Date(leaf.validFrom),
      notAfter: new Date(leaf.validTo),
    };
  } finally {
    client.close();
  }
}
