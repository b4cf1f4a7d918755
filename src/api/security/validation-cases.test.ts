// Table-driven validation cases for the policy kinds (a helper the kinds' tests import; it registers
// no tests itself): each case is a resource and either valid or the error path and message a user sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPath } from '../schema/dsl.js';
import { checkResource } from '../validate.js';

export interface Case {
  name: string;
  apiVersion: string;
  kind: string;
  spec?: unknown;
  metadata?: Record<string, unknown>;
  /** Expected error: its field path and a fragment (or pattern) of its message. */
  error?: { path: string; message: string | RegExp };
  /** Expected warning on an otherwise valid resource. */
  warning?: { path: string; message: string | RegExp };
}

function matches(message: string, want: string | RegExp): boolean {
  return typeof want === 'string' ? message.includes(want) : want.test(message);
}

/** Registers one node:test per case. */
export function runCases(cases: readonly Case[]): void {
  for (const c of cases) {
    const label = c.error
      ? `${c.kind} rejects ${c.name} at ${c.error.path}`
      : `${c.kind} accepts ${c.name}${c.warning ? ` with a warning at ${c.warning.path}` : ''}`;
    test(label, () => {
      const res = {
        apiVersion: c.apiVersion,
        kind: c.kind,
        metadata: { name: c.name, namespace: 'foo', ...c.metadata },
        ...(c.spec === undefined ? {} : { spec: c.spec }),
      };
      const issues = checkResource(res).map((i) => ({ ...i, at: formatPath(i.path) }));
      const errors = issues.filter((i) => i.severity === 'error');
      const shown = JSON.stringify(issues.map((i) => `${i.severity} ${i.at}: ${i.message}`));
      if (!c.error) assert.deepEqual(errors, [], `expected no errors, got ${shown}`);
      for (const [want, pool] of [
        [c.error, errors],
        [c.warning, issues.filter((i) => i.severity === 'warning')],
      ] as const) {
        if (!want) continue;
        assert.ok(
          pool.some((i) => i.at === want.path && matches(i.message, want.message)),
          `expected ${want.path}: ${String(want.message)}; got ${shown}`,
        );
      }
    });
  }
}
