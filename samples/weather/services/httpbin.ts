// httpbin (the subset the scenarios use): /get, /headers, /status/{code}, /delay/{s}, /ip.
import http from 'node:http';
import { sendJson, serve } from './lib.js';

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) out[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
  return out;
}

serve('httpbin', (req, res) => {
  const url = new URL(req.url ?? '/', 'http://httpbin');
  const p = url.pathname;
  if (p === '/get')
    return sendJson(res, 200, {
      args: Object.fromEntries(url.searchParams),
      headers: headersOf(req),
      origin: req.socket.remoteAddress,
      url: `http://${req.headers.host ?? 'httpbin'}${req.url}`,
    });
  if (p === '/headers') return sendJson(res, 200, { headers: headersOf(req) });
  if (p === '/ip') return sendJson(res, 200, { origin: req.socket.remoteAddress });
  let m = /^\/status\/(\d{3})$/.exec(p);
  if (m) {
    res.writeHead(Number(m[1]));
    return res.end();
  }
  m = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(p);
  if (m) {
    const secs = Math.min(Number(m[1]), 10);
    const t = setTimeout(() => sendJson(res, 200, { delay: secs, headers: headersOf(req) }), secs * 1000);
    res.on('close', () => clearTimeout(t));
    return;
  }
  sendJson(res, 404, { error: `no such path ${p}` });
});
