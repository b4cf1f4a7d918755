// Plain-text tables as kubectl and istioctl print them: columns padded to their widest cell.
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((v, i) => (v ?? '').padEnd(widths[i]! + 3))
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
