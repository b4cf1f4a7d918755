// Kubernetes-style names: the pod-template-hash a ReplicaSet gets (FNV-32a of the template,
// safe-encoded) and pod names `<deployment>-<hash>-<5 random>`.
import { randomInt } from 'node:crypto';

/** Kubernetes' SafeEncodeString alphabet: no vowels, no easily confused characters. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function safeEncode(s: string): string {
  return [...s].map((c) => ALPHABET[c.charCodeAt(0) % ALPHABET.length]).join('');
}

/** Stable for equal templates (keys sorted), different when anything in the template changes. */
export function podTemplateHash(template: unknown): string {
  const canonical = JSON.stringify(template, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
  return safeEncode(String(fnv32a(canonical)));
}

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export function podName(deployment: string, hash: string): string {
  return `${deployment}-${hash}-${randomSuffix()}`;
}
