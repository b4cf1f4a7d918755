// Mixer's list adapter (listchecker): a listentry value is looked up in a list of strings,
// case-insensitive strings, RE2 regexes or IP ranges — the overrides plus, optionally, a list
// fetched from providerUrl every refreshInterval and dropped when not refreshed within ttl.
// Whitelist: absent → PERMISSION_DENIED "<v> is not whitelisted"; blacklist: present → "<v> is
// blacklisted".
import { BlockList, isIP } from 'node:net';
import { RE2JS } from 're2js';
import { parse as parseYaml } from 'yaml';
import { pbGet } from '../../api/mixer/fields.js';
import { Code, type RpcStatus } from '../rpc-status.js';
import { durationMs } from './params.js';
import type { AdapterEnv, HandlerBuilder, Params } from './types.js';

type EntryType = 'STRINGS' | 'CASE_INSENSITIVE_STRINGS' | 'IP_ADDRESSES' | 'REGEX';
/** Whether a value is in the list; throws when the value cannot be looked up (INVALID_ARGUMENT). */
type Lookup = (value: string) => boolean;

function addRange(list: BlockList, entry: string): void {
  const [addr = '', len] = entry.split('/');
  const family = isIP(addr);
  const bits = len === undefined ? 32 : Number(len);
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128))
    throw new Error(`could not parse list entry ${entry}: invalid CIDR address: ${entry}`);
  list.addSubnet(addr, bits, family === 4 ? 'ipv4' : 'ipv6');
}

/** The list for provider data plus overrides (overrides were validated with the config). */
function buildLookup(type: EntryType, provided: string, overrides: readonly string[]): Lookup {
  const lines = provided.split('\n').filter((l) => l !== '');
  switch (type) {
    case 'STRINGS': {
      const set = new Set([...lines, ...overrides.filter((o) => o !== '')]);
      return (v) => set.has(v);
    }
    case 'CASE_INSENSITIVE_STRINGS': {
      const set = new Set([...lines, ...overrides].filter((o) => o !== '').map((s) => s.toUpperCase()));
      return (v) => set.has(v.toUpperCase());
    }
    case 'REGEX': {
      const res = [...lines, ...overrides].map((r) => RE2JS.compile(r));
      return (v) => res.some((r) => r.matcher(v).find());
    }
    case 'IP_ADDRESSES': {
      const doc = (provided.trim() === '' ? {} : parseYaml(provided)) as { whitelist?: unknown } | null;
      const list = new BlockList();
      for (const e of [...((doc?.whitelist ?? []) as unknown[]).map(String), ...overrides]) addRange(list, e);
      return (v) => {
        const family = isIP(v);
        if (family === 0) throw new Error(`${v} is not a valid IP address`);
        return list.check(v, family === 4 ? 'ipv4' : 'ipv6');
      };
    }
  }
}

/** Weft fetches lists only from this machine (nothing leaves it). */
function checkProviderHost(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (host !== 'localhost' && !host.startsWith('127.') && host !== '::1')
    throw new Error(`providerUrl ${url}: Weft fetches lists only from loopback addresses`);
}

class ListHandler {
  private lookup: Lookup | undefined;
  private lastError: string | undefined;
  private latest: string | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private purge: NodeJS.Timeout | undefined;

  constructor(
    private readonly type: EntryType,
    private readonly overrides: readonly string[],
    private readonly blacklist: boolean,
    private readonly provider: { url: string; refreshMs: number; ttlMs: number } | undefined,
    private readonly env: AdapterEnv,
  ) {
    if (!provider) {
      this.lookup = buildLookup(type, '', overrides);
      return;
    }
    void this.refresh();
    const tick = setInterval(() => void this.refresh(), provider.refreshMs);
    tick.unref();
    this.timers.push(tick);
  }

  private async refresh(): Promise<void> {
    const { url, ttlMs } = this.provider!;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`could not fetch list from ${url}: ${res.status}`);
      const body = await res.text();
      if (body !== this.latest || !this.lookup) this.lookup = buildLookup(this.type, body, this.overrides);
      this.latest = body;
      this.lastError = undefined;
      clearTimeout(this.purge);
      this.purge = setTimeout(() => {
        this.env.log('warn', `list from ${url} purged: not refreshed within its ttl`);
        this.lookup = undefined;
      }, ttlMs);
      this.purge.unref();
    } catch (e) {
      this.lastError = (e as Error).message;
      this.env.log('error', `listchecker: ${this.lastError}`);
    }
  }

  check(_template: string, instance: Readonly<Record<string, unknown>>): RpcStatus {
    if (!this.lookup) throw new Error(this.lastError ?? 'no list available yet');
    const v = instance.value;
    let status: RpcStatus = { code: Code.OK, message: '' };
    // Strings (IP addresses arrive as their text) are looked up as they are, even empty ones.
    if (typeof v !== 'string')
      status = { code: Code.INVALID_ARGUMENT, message: `${String(v)} is not a valid string or IP address` };
    else {
      try {
        const found = this.lookup(v);
        if (this.blacklist && found)
          status = { code: Code.PERMISSION_DENIED, message: `${v} is blacklisted` };
        if (!this.blacklist && !found)
          status = { code: Code.PERMISSION_DENIED, message: `${v} is not whitelisted` };
      } catch (e) {
        status = { code: Code.INVALID_ARGUMENT, message: (e as Error).message };
      }
    }
    return status;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.purge);
  }
}

export const buildList: HandlerBuilder = (params: Params, env) => {
  const url = pbGet(params, 'provider_url') as string | undefined;
  if (url) checkProviderHost(url);
  return new ListHandler(
    ((pbGet(params, 'entry_type') as EntryType | undefined) ?? 'STRINGS') as EntryType,
    (pbGet(params, 'overrides') as string[] | undefined) ?? [],
    Boolean(pbGet(params, 'blacklist')),
    url
      ? {
          url,
          refreshMs: durationMs(pbGet(params, 'refresh_interval'), 60_000),
          ttlMs: durationMs(pbGet(params, 'ttl'), 300_000),
        }
      : undefined,
    env,
  );
};
