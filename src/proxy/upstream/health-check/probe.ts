// One active health check probe against a host: HTTP (a GET on a kept-alive connection, status
// matched against expected/retriable ranges) or TCP (connect, send, find every receive block in
// order). Resolves to the outcome the host's health state machine consumes.
import http from 'node:http';
import net from 'node:net';
import type { Host } from '../host.js';
import type { CheckKind } from './config.js';

/** 'unhealthy': an HTTP status outside expected and retriable (Envoy: unhealthy at once). */
export type ProbeResult = 'success' | 'failure' | 'network_failure' | 'unhealthy';

const inRanges = (code: number, rs: readonly (readonly [number, number])[]): boolean =>
  rs.some(([a, b]) => code >= a && code < b);

export function probeHttp(
  check: Extract<CheckKind, { kind: 'http' }>,
  host: Host,
  agent: http.Agent,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: host.address,
        port: host.port,
        path: check.path,
        method: check.method,
        headers: { host: check.host, 'user-agent': 'Envoy/HC' },
        agent,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        res.once('end', () =>
          resolve(
            inRanges(code, check.expected)
              ? 'success'
              : inRanges(code, check.retriable)
                ? 'failure'
                : 'unhealthy',
          ),
        );
      },
    );
    req.once('timeout', () => req.destroy(new Error('health check timeout')));
    req.once('error', () => resolve('network_failure'));
    req.end();
  });
}

export function probeTcp(
  check: Extract<CheckKind, { kind: 'tcp' }>,
  host: Host,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const s = net.connect(host.port, host.address);
    const timer = setTimeout(() => finish('network_failure'), timeoutMs);
    let buf = Buffer.alloc(0);
    const matched = (): boolean => {
      let at = 0;
      for (const r of check.receive) {
        const i = buf.indexOf(r, at);
        if (i < 0) return false;
        at = i + r.length;
      }
      return true;
    };
    s.once('connect', () => {
      if (check.send) s.write(check.send);
      if (check.receive.length === 0) finish('success');
    });
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (matched()) finish('success');
    });
    s.once('error', () => finish('network_failure'));
    s.once('close', () => finish('failure'));
  });
}
