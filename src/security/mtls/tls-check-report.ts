// `weft authn tls-check` (istioctl 1.1 `authn tls-check`): the config comes from files or from the
// running control plane's config API; the table has istioctl 1.1's columns and words — SERVER
// mTLS | HTTP/mTLS | HTTP, CLIENT mTLS (ISTIO_MUTUAL) | HTTP — and, for a client that follows the
// server through auto mTLS (which 1.1 did not have), later istioctl's STATUS AUTO.
import type { Resource } from '../../api/resource.js';
import { formatTable } from '../../cli/table.js';
import { callApi, resolveServer, type ServerOptions } from '../../config/sources/api-client.js';
import { readInput } from '../../config/sources/files.js';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { tlsCheck, type TlsCheckRow } from './conflicts.js';
import { tlsCheckInputFromResources } from './from-resources.js';

export interface TlsCheckOptions extends ServerOptions {
  filename?: string[];
  namespace?: string;
  output?: 'json';
  autoMtls?: boolean;
}

export interface Report {
  stdout: string;
  stderr: string;
  code: number;
}

const SERVER = { STRICT: 'mTLS', PERMISSIVE: 'HTTP/mTLS', DISABLE: 'HTTP' } as const;
const HEADER = ['HOST:PORT', 'STATUS', 'SERVER', 'CLIENT', 'AUTHN POLICY', 'DESTINATION RULE'];

export function renderTlsCheck(rows: readonly TlsCheckRow[]): string {
  return formatTable(
    HEADER,
    rows.map((r) => {
      const auto = r.clientMode === 'AUTO';
      return [
        `${r.host}:${r.port}`,
        auto ? 'AUTO' : r.status,
        SERVER[r.serverMode],
        auto ? '-' : r.clientMode === 'ISTIO_MUTUAL' ? 'mTLS' : 'HTTP',
        r.authnPolicy,
        auto ? '-' : r.destinationRule,
      ];
    }),
  );
}

/** HOST[:PORT]: an FQDN, or a short `name` / `name.namespace` prefix of one. */
function selectRows(rows: readonly TlsCheckRow[], target: string): TlsCheckRow[] {
  const m = /^(.*?)(?::(\d+))?$/.exec(target)!;
  const [host, port] = [m[1]!, m[2] && Number(m[2])];
  return rows.filter((r) => (r.host === host || r.host.startsWith(`${host}.`)) && (!port || r.port === port));
}

const KINDS = ['services', 'destinationrules', 'peerauthentications', 'policies', 'meshpolicies'];

async function fromControlPlane(opts: ServerOptions): Promise<Resource[]> {
  const base = await resolveServer(opts);
  const lists = await Promise.all(
    KINDS.map(async (kind) => {
      const answer = await callApi(base, 'GET', `/apis/config/${kind}`);
      if (answer.status !== 200)
        throw new Error(`control plane at ${base} answered ${answer.status} for ${kind}`);
      return (answer.body as { items: Resource[] }).items;
    }),
  );
  return lists.flat();
}

async function fromFiles(paths: string[]): Promise<{ resources: Resource[]; stderr: string; ok: boolean }> {
  const input = await readInput(paths, true);
  const problems = input.diagnostics.filter((d) => d.severity !== 'info');
  return {
    resources: input.resources.map((l) => l.resource),
    stderr: problems.map((d) => `${formatDiagnostic(d)}\n`).join(''),
    ok: !problems.some((d) => d.severity === 'error'),
  };
}

/** Conflicts are findings, not failures (exit 0, as istioctl); unreadable input or no match is 1. */
export async function tlsCheckReport(target: string | undefined, opts: TlsCheckOptions): Promise<Report> {
  let resources: Resource[];
  let stderr = '';
  if (opts.filename?.length) {
    const read = await fromFiles(opts.filename);
    if (!read.ok) return { stdout: '', stderr: `${read.stderr}error: the input has errors\n`, code: 1 };
    ({ resources, stderr } = read);
  } else resources = await fromControlPlane(opts);
  const all = tlsCheck(
    tlsCheckInputFromResources(resources, {
      ...(opts.namespace && { defaultNamespace: opts.namespace }),
      ...(opts.autoMtls !== undefined && { autoMtls: opts.autoMtls }),
    }),
  );
  const rows = target ? selectRows(all, target) : all;
  if (target && rows.length === 0)
    return { stdout: '', stderr: `${stderr}error: no service port matches ${target}\n`, code: 1 };
  const stdout = opts.output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderTlsCheck(rows);
  return { stdout, stderr, code: 0 };
}
