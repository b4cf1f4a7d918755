// request/response_headers_to_add (HeaderValueOption with append_action or legacy append) and
// *_headers_to_remove, compiled once; values may use access-log command operators.
import { ConfigError, type Msg } from '../config/proto.js';
import { compileTextFormat } from '../access-log/format.js';
import type { HeaderMap } from '../http/header-map.js';
import type { StreamInfo } from '../http/stream-info.js';

type Action =
  'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';

interface Add {
  name: string;
  value: (s: StreamInfo) => string;
  action: Action;
  keepEmpty: boolean;
}

export interface HeaderMutation {
  apply(h: HeaderMap, s: StreamInfo): void;
}

export const NO_MUTATION: HeaderMutation = { apply() {} };

export function compileHeaderMutation(
  add: Msg[] | undefined,
  remove: string[] | undefined,
  path: string,
): HeaderMutation {
  const adds: Add[] = (add ?? []).map((o, i) => {
    const p = `${path}_to_add[${i}]`;
    const name = (o.header?.key as string | undefined)?.toLowerCase();
    if (!name) throw new ConfigError(`${p}.header.key`, 'header key is required');
    const raw = (o.header?.value as string | undefined) ?? '';
    if (o.append !== undefined && o.append_action !== undefined)
      throw new ConfigError(p, 'append and append_action are mutually exclusive');
    const action: Action =
      o.append_action ??
      (o.append?.value === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD');
    const value = raw.includes('%') ? compileTextFormat(raw, `${p}.header.value`) : () => raw;
    return { name, value, action, keepEmpty: Boolean(o.keep_empty_value) };
  });
  const removes = (remove ?? []).map((r) => r.toLowerCase());
  if (adds.length === 0 && removes.length === 0) return NO_MUTATION;
  return {
    apply(h, s) {
      for (const r of removes) h.remove(r);
      for (const a of adds) {
        const v = a.value(s);
        if (v === '' && !a.keepEmpty) continue;
        const exists = h.has(a.name);
        switch (a.action) {
          case 'APPEND_IF_EXISTS_OR_ADD':
            h.append(a.name, v);
            break;
          case 'ADD_IF_ABSENT':
            if (!exists) h.set(a.name, v);
            break;
          case 'OVERWRITE_IF_EXISTS_OR_ADD':
            h.set(a.name, v);
            break;
          case 'OVERWRITE_IF_EXISTS':
            if (exists) h.set(a.name, v);
            break;
        }
      }
    },
  };
}

/** Applies several mutations in order (route, then virtual host, then route configuration). */
export function chain(ms: HeaderMutation[]): HeaderMutation {
  const live = ms.filter((m) => m !== NO_MUTATION);
  if (live.length === 0) return NO_MUTATION;
  if (live.length === 1) return live[0]!;
  return { apply: (h, s) => live.forEach((m) => m.apply(h, s)) };
}
