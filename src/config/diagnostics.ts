// One shape for every config problem: where (file:line, resource, field path), what rule, how bad.
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  file?: string;
  line?: number;
  /** "Kind namespace/name" of the resource, when the problem belongs to one. */
  resource?: string;
  /** Field path, e.g. spec.http[0].route[1].weight */
  path?: string;
  message: string;
  /** Istio analyzer message code, e.g. IST0101 */
  code?: string;
}

/** `file:line: Kind ns/name: spec.x: message` — the order a reader scans in. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : '';
  const what = d.resource ? `${d.resource}: ` : '';
  const path = d.path ? `${d.path}: ` : '';
  const sev = d.severity === 'error' ? '' : `${d.severity}: `;
  const code = d.code ? ` [${d.code}]` : '';
  return `${where}${sev}${what}${path}${d.message}${code}`;
}
