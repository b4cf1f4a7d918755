// One Kubernetes httpGet or tcpSocket probe against host:port, with the kubelet's rules:
// HTTP 200-399 succeeds, anything else (or no answer before the timeout) fails with a reason.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface HttpProbeTarget {
  host: string;
  port: number;
  path?: string;
  scheme?: 'HTTP' | 'HTTPS';
  headers?: { name: string; value: string }[];
  /** Source address to bind (the agent's app probes use 127.0.0.6 so capture lets them by). */
  localAddress?: string;
}

export function probeHttp(t: HttpProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const client = t.scheme === 'HTTPS' ? https : http;
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.30' };
  for (const h of t.headers ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = client.get(
      {
        host: t.host,
        port: t.port,
        path: t.path || '/',
        headers,
        timeout: timeoutMs,
        agent: false,
        ...(t.localAddress ? { localAddress: t.localAddress } : {}),
        ...(t.scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(
          code >= 200 && code < 400
            ? { ok: true }
            : { ok: false, reason: `HTTP probe failed with statuscode: ${code}` },
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', (e) =>
      resolve({
        ok: false,
        reason: `Get "${t.scheme === 'HTTPS' ? 'https' : 'http'}://${t.host}:${t.port}${t.path || '/'}": ${e.message}`,
      }),
    );
  });
}

export function probeTcp(
  host: string,
  port: number,
  timeoutMs: number,
  localAddress?: string,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: timeoutMs, ...(localAddress ? { localAddress } : {}) });
    s.once('connect', () => {
      s.destroy();
      resolve({ ok: true });
    });
    s.once('timeout', () => {
      s.destroy();
      resolve({ ok: false, reason: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.once('error', (e) => resolve({ ok: false, reason: `dial tcp ${host}:${port}: ${e.message}` }));
  });
}
