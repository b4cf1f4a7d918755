// The mesh CA (Citadel's role): a self-signed root made on first start and kept in the state
// directory, or a plugged-in CA laid out as Istio's `cacerts` (ca-cert.pem, ca-key.pem,
// root-cert.pem, cert-chain.pem). Signs workload CSRs with the SPIFFE identity the *caller's
// authentication* established — never what the CSR asks for — and rotates its root without
// downtime by trusting old and new roots together while proxies move.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesDurably } from '../util/durable-fs.js';
import {
  EC_ALG,
  generateKeyPair,
  importPrivateKeyPem,
  privateKeyPem,
  splitPem,
  x509,
  type CryptoKey,
  type SignatureAlgorithm,
} from './keys.js';
import { spiffeUri, type Identity } from './spiffe.js';
import { WORKLOAD_TTL_DEFAULTS, type WorkloadTtl } from './workload-ttl.js';

const ROOT_TTL_MS = 10 * 365 * 24 * 3600 * 1000;
/** Backdating absorbs small clock differences between processes (Istio does the same). */
const BACKDATE_MS = 60_000;

interface SigningMaterial {
  cert: x509.X509Certificate;
  key: CryptoKey;
  alg: SignatureAlgorithm;
  /** Certificates between the signing cert and the root (signing cert first, root excluded). */
  chain: string[];
  /** The root the chain leads to (plugged-in CA); the self-signed root is the signing cert. */
  root?: string;
}

/** Istio's `cacerts` layout (files in a directory, or keys of the `cacerts` Secret). */
export interface CacertsFiles {
  'ca-cert.pem': string;
  'ca-key.pem': string;
  'root-cert.pem': string;
  'cert-chain.pem'?: string;
}

export interface IssueOptions {
  ttlSeconds?: number;
  /** Extra DNS SANs (gateways); workloads normally carry only the SPIFFE URI. */
  dnsNames?: string[];
}

/** PEM with a trailing newline, the form every PEM string in the CA takes. */
function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** Whole seconds as Go prints a time.Duration ("2160h0m0s", "1m30s", "4s"), as Istio's messages do. */
function goDuration(seconds: number): string {
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

function serial(): string {
  const b = randomBytes(16);
  b[0]! &= 0x7f; // positive INTEGER
  return b.toString('hex');
}

export class CertificateAuthority {
  /** Lifetimes of the certificates it issues (istiod's DEFAULT_/MAX_WORKLOAD_CERT_TTL). */
  workloadTtl: WorkloadTtl = WORKLOAD_TTL_DEFAULTS;

  private constructor(
    private signing: SigningMaterial,
    /** Roots proxies must trust: the current root first, then roots still being rotated out. */
    private roots: string[],
    readonly trustDomain: string,
    private readonly dir: string | undefined,
    private plugged: boolean,
  ) {}

  /** Signing with a plugged-in CA (Istio cacerts) rather than the self-signed root. */
  get pluggedIn(): boolean {
    return this.plugged;
  }

  /** Loads the self-signed CA from `dir`, creating it on first start. */
  static async loadOrCreate(dir: string, trustDomain = 'cluster.local'): Promise<CertificateAuthority> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const [certPem, keyPem, bundle] = await Promise.all([
        readFile(join(dir, 'ca-cert.pem'), 'utf8'),
        readFile(join(dir, 'ca-key.pem'), 'utf8'),
        readFile(join(dir, 'trust-bundle.pem'), 'utf8').catch(() => ''),
      ]);
      const { key, alg } = await importPrivateKeyPem(keyPem);
      const roots = splitPem(bundle);
      return new CertificateAuthority(
        { cert: new x509.X509Certificate(certPem), key, alg, chain: [] },
        roots.length ? roots : splitPem(certPem),
        trustDomain,
        dir,
        false,
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`CA in ${dir} is unreadable: ${(e as Error).message}`, { cause: e });
    }
    const ca = new CertificateAuthority(
      await CertificateAuthority.newRoot(trustDomain),
      [],
      trustDomain,
      dir,
      false,
    );
    ca.roots = [pem(ca.signing.cert)];
    await ca.persist();
    return ca;
  }

  /** A plugged-in CA from Istio's cacerts layout; intermediates allowed. */
  static async fromCacerts(dir: string, trustDomain = 'cluster.local'): Promise<CertificateAuthority> {
    const read = (f: string): Promise<string> =>
      readFile(join(dir, f), 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new Error(`plugged-in CA: cannot read ${join(dir, f)}: ${e.code ?? e.message}`);
      });
    const [cert, key, root, chain] = await Promise.all([
      read('ca-cert.pem'),
      read('ca-key.pem'),
      read('root-cert.pem'),
      read('cert-chain.pem').catch(() => ''),
    ]);
    const m = await CertificateAuthority.pluggedMaterial({
      'ca-cert.pem': cert,
      'ca-key.pem': key,
      'root-cert.pem': root,
      'cert-chain.pem': chain,
    });
    return new CertificateAuthority(m.signing, m.roots, trustDomain, undefined, true);
  }

  /**
   * Switches this CA, live, to a plugged-in one (Istio's `cacerts` Secret replaced): from now on it
   * signs with the new key, and the trust bundle is the new root-cert.pem — which holds old and new
   * roots while proxies move. Invalid material throws and leaves the CA as it was.
   */
  async usePluggedIn(files: CacertsFiles): Promise<void> {
    const m = await CertificateAuthority.pluggedMaterial(files);
    this.signing = m.signing;
    this.roots = m.roots;
    this.plugged = true;
  }

  private static async pluggedMaterial(
    files: CacertsFiles,
  ): Promise<{ signing: SigningMaterial; roots: string[] }> {
    const certPem = files['ca-cert.pem'];
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(certPem);
    } catch (e) {
      throw new Error(`plugged-in CA: ca-cert.pem is not a PEM certificate (${(e as Error).message})`, {
        cause: e,
      });
    }
    const { key, alg } = await importPrivateKeyPem(files['ca-key.pem']).catch((e: Error) => {
      throw new Error(`plugged-in CA: ca-key.pem is not a PEM private key (${e.message})`, { cause: e });
    });
    const roots = splitPem(files['root-cert.pem']);
    if (roots.length === 0) throw new Error('plugged-in CA: root-cert.pem holds no certificate');
    // cert-chain.pem holds ca-cert then intermediates up to (and possibly including) the root.
    const chain = splitPem(files['cert-chain.pem'] ?? '').filter(
      (c) => !roots.some((r) => new x509.X509Certificate(r).equal(new x509.X509Certificate(c))),
    );
    if (chain.length === 0) chain.push(certPem);
    const root = await CertificateAuthority.verifyChain([certPem, ...chain.slice(1)], roots);
    return { signing: { cert, key, alg, chain, root }, roots };
  }

  private static async newRoot(trustDomain: string): Promise<SigningMaterial> {
    const keys = await generateKeyPair();
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `O=${trustDomain}`,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + ROOT_TTL_MS),
      keys,
      signingAlgorithm: EC_ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { cert, key: keys.privateKey, alg: EC_ALG, chain: [] };
  }

  /** Checks that each certificate is signed by the next and the last by one of the roots. */
  /** Returns the root the chain leads to. */
  private static async verifyChain(chain: string[], roots: string[]): Promise<string> {
    const certs = chain.map((c) => new x509.X509Certificate(c));
    for (let i = 0; i < certs.length - 1; i++) {
      if (!(await certs[i]!.verify({ publicKey: certs[i + 1]!.publicKey, signatureOnly: true })))
        throw new Error(`plugged-in CA: certificate ${i} of the chain is not signed by certificate ${i + 1}`);
    }
    const last = certs[certs.length - 1]!;
    for (const r of roots) {
      if (await last.verify({ publicKey: new x509.X509Certificate(r).publicKey, signatureOnly: true }))
        return r;
    }
    throw new Error('plugged-in CA: the chain does not lead to a certificate in root-cert.pem');
  }

  private async persist(): Promise<void> {
    if (!this.dir) return;
    const certPem = pem(this.signing.cert);
    const at = (f: string): string => join(this.dir!, f);
    await writeFilesDurably([
      { path: at('ca-key.pem'), data: await privateKeyPem(this.signing.key), mode: 0o600 },
      { path: at('ca-cert.pem'), data: certPem, mode: 0o644 },
      { path: at('root-cert.pem'), data: certPem, mode: 0o644 },
      { path: at('trust-bundle.pem'), data: this.roots.join(''), mode: 0o644 },
    ]);
  }

  /** PEM roots proxies should trust (during a rotation, old and new). */
  trustBundle(): string[] {
    return [...this.roots];
  }

  signingCertificate(): string {
    return pem(this.signing.cert);
  }

  /**
   * Signs a PKCS#10 CSR for an authenticated identity. The CSR's own subject and SANs are
   * ignored: the certificate says only what the caller proved to be.
   * Returns Istio's cert_chain order: leaf, intermediates, root.
   */
  async sign(csrPem: string, identity: Identity, opts: IssueOptions = {}): Promise<string[]> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (e) {
      throw new CaError(
        'INVALID_ARGUMENT',
        `CSR is not a valid PEM PKCS#10 request: ${(e as Error).message}`,
      );
    }
    if (!(await csr.verify())) throw new CaError('INVALID_ARGUMENT', 'CSR signature does not verify');
    const { defaultS, maxS } = this.workloadTtl;
    const ttl = opts.ttlSeconds && opts.ttlSeconds > 0 ? opts.ttlSeconds : defaultS;
    if (ttl > maxS)
      throw new CaError(
        'INVALID_ARGUMENT',
        `requested TTL ${goDuration(ttl)} is greater than the max allowed TTL ${goDuration(maxS)}`,
      );
    if (identity.trustDomain !== this.trustDomain)
      throw new CaError(
        'PERMISSION_DENIED',
        `identity trust domain ${identity.trustDomain} is not ${this.trustDomain}`,
      );
    const now = Date.now();
    const notAfter = Math.min(now + ttl * 1000, this.signing.cert.notAfter.getTime());
    const names: x509.JsonGeneralName[] = [{ type: 'url', value: spiffeUri(identity) }];
    for (const d of opts.dnsNames ?? []) names.push({ type: 'dns', value: d });
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: '',
      issuer: this.signing.cert.subjectName,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(notAfter),
      publicKey: csr.publicKey,
      signingKey: this.signing.key,
      signingAlgorithm: this.signing.alg,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(names, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.signing.cert),
      ],
    });
    const intermediates = this.pluggedIn ? this.signing.chain : [];
    return [pem(leaf), ...intermediates, this.signing.root ?? pem(this.signing.cert)];
  }

  /**
   * Starts a root rotation: a new self-signed root signs from now on; the old root stays in the
   * trust bundle so certificates it issued keep working until `finishRotation()`.
   */
  async rotateRoot(): Promise<void> {
    if (this.pluggedIn)
      throw new Error('root rotation of a plugged-in CA is done by replacing its cacerts files');
    this.signing = await CertificateAuthority.newRoot(this.trustDomain);
    this.roots = [pem(this.signing.cert), ...this.roots];
    await this.persist();
  }

  /** Drops every root but the current one; certificates from old roots stop verifying. */
  async finishRotation(): Promise<void> {
    this.roots = this.roots.slice(0, 1);
    await this.persist();
  }

  /** Removes the CA's files (tests and `weft down --purge`). */
  async destroy(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** A CA failure with the gRPC status name it maps to. */
export class CaError extends Error {
  constructor(
    readonly status: 'INVALID_ARGUMENT' | 'PERMISSION_DENIED' | 'UNAUTHENTICATED' | 'INTERNAL',
    message: string,
  ) {
    super(message);
  }
}
