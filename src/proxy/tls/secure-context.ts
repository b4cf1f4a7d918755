// Builds the Node SecureContext for one TLS context from its inline material and the current SDS
// secrets, and rebuilds it only when a secret it depends on was replaced: the next handshake then
// uses the new certificate, while established connections keep the context they started with.
import tls from 'node:tls';
import type { Msg } from '../config/proto.js';
import { secretRefs, type TlsContextConfig } from './context-config.js';
import { compileSanMatchers, type SanVerifier } from './san.js';
import type { CertificateData, SecretData, ValidationData } from './secret.js';
import type { SecretStore } from './secret-store.js';

export interface BuiltContext {
  /** what tls.createServer takes (a server cannot be given a SecureContext) */
  options: tls.SecureContextOptions;
  secureContext: tls.SecureContext;
  /** trust anchors are configured: the peer's chain must verify */
  verifyPeer: boolean;
  sans: SanVerifier | undefined;
}

/** Envoy merges the SDS validation context over the default one (MergeFrom: lists append). */
function mergeValidation(
  base: ValidationData | undefined,
  sds: ValidationData | undefined,
): ValidationData | undefined {
  if (!base || !sds) return sds ?? base;
  const context: Msg = { ...base.context };
  for (const [k, v] of Object.entries(sds.context))
    context[k] = Array.isArray(v) && Array.isArray(context[k]) ? [...(context[k] as unknown[]), ...v] : v;
  return { kind: 'validation_context', trustedCa: sds.trustedCa ?? base.trustedCa, context };
}

export class ContextBuilder {
  private built: { value: BuiltContext; deps: (SecretData | undefined)[] } | undefined;
  readonly secretNames: string[];

  constructor(
    readonly config: TlsContextConfig,
    private readonly secrets: SecretStore,
  ) {
    this.secretNames = secretRefs(config).map((r) => r.name);
  }

  /** The current context, or undefined while an SDS secret it needs has not arrived. */
  current(): BuiltContext | undefined {
    const deps = this.secretNames.map((n) => this.secrets.get(n));
    if (deps.some((d) => d === undefined)) return undefined;
    if (this.built && this.built.deps.every((d, i) => d === deps[i])) return this.built.value;
    const c = this.config;
    const certs: CertificateData[] = [...c.certificates];
    let sdsValidation: ValidationData | undefined;
    for (const d of deps)
      if (d!.kind === 'tls_certificate') certs.push(d!);
      else sdsValidation = d!;
    const validation = mergeValidation(c.validation, sdsValidation);
    const cert = certs[0];
    const options: tls.SecureContextOptions = {
      cert: cert?.certChain,
      key: cert?.privateKey,
      ca: validation?.trustedCa,
      minVersion: c.minVersion,
      maxVersion: c.maxVersion,
      ciphers: c.ciphers,
      ecdhCurve: c.ecdhCurve,
    };
    const value: BuiltContext = {
      options,
      secureContext: tls.createSecureContext(options),
      verifyPeer: validation?.trustedCa !== undefined,
      sans: validation ? compileSanMatchers(validation.context, 'validation_context') : undefined,
    };
    this.built = { value, deps };
    return value;
  }

  /** Waits (bounded) for missing SDS secrets, as a warming listener or cluster would. */
  ready(timeoutMs: number): Promise<boolean> {
    return this.secrets.whenReady(this.secretNames, timeoutMs);
  }
}
