// The client side of `weft proxy-status`: reads /debug/syncz from the control plane and renders
// istioctl's table (NAME, CDS, LDS, EDS, RDS, VERSION) or JSON.
import { callApi, resolveServer } from '../../config/sources/api-client.js';
import type { ProxySync } from './syncz.js';

const COLUMNS = ['CDS', 'LDS', 'EDS', 'RDS'] as const;

export function renderTable(rows: readonly ProxySync[]): string {
  const table = [
    ['NAME', ...COLUMNS, 'VERSION'],
    ...rows.map((r) => [r.name, ...COLUMNS.map((t) => r.types[t].status), r.istio_version || '-']),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map(
      (row) =>
        row
          .map((c, i) => c.padEnd(widths[i]! + 3))
          .join('')
          .trimEnd() + '\n',
    )
    .join('');
}

export async function proxyStatus(opts: {
  output?: 'json';
  server?: string;
  stateDir?: string;
}): Promise<string> {
  const base = await resolveServer(opts);
  const answer = await callApi(base, 'GET', '/debug/syncz');
  if (answer.status !== 200 || !Array.isArray(answer.body))
    throw new Error(`control plane at ${base} answered ${answer.status} for /debug/syncz`);
  const rows = answer.body as ProxySync[];
  return opts.output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderTable(rows);
}
