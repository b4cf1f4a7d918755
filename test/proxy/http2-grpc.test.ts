// HTTP/2 downstream (h2c prior knowledge) to HTTP/1.1 and HTTP/2 upstreams, and gRPC through
// the proxy with grpc-js on both sides: trailers pass through, local replies carry grpc-status.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  httpBootstrap,
  startProxy,
  startUpstream,
  staticCluster,
  type Echo,
  type Running,
} from './helpers.js';

const ident = (b: Buffer): Buffer => b;

async function startGrpcServer(): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(
    {
      Echo: {
        path: '/test.Echo/Echo',
        requestStream: false,
        responseStream: false,
        requestSerialize: ident,
        requestDeserialize: ident,
        responseSerialize: ident,
        responseDeserialize: ident,
      },
    },
    {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        if (call.request.toString() === 'fail')
          return cb({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
        const md = new grpc.Metadata();
        md.set('x-trailer', 'kept');
        cb(null, Buffer.from(`echo:${call.request.toString()}`), md);
      },
    },
  );
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  return { port, server };
}

function unary(
  client: grpc.Client,
  msg: string,
): Promise<{ err: grpc.ServiceError | null; value?: string; trailers?: grpc.Metadata }> {
  return new Promise((resolve) => {
    let trailers: grpc.Metadata | undefined;
    const call = client.makeUnaryRequest('/test.Echo/Echo', ident, ident, Buffer.from(msg), (err, value) =>
      setImmediate(() => resolve({ err, value: value?.toString(), trailers })),
    );
    call.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
  });
}

describe('HTTP/2 and gRPC', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let g: Awaited<ReturnType<typeof startGrpcServer>>;
  let px: Running;
  let port: number;
  before(async () => {
    up = await startUpstream();
    g = await startGrpcServer();
    px = await startProxy(
      httpBootstrap(
        `
virtual_hosts:
- name: all
  domains: ["*"]
  routes:
  - {match: {prefix: /test.Echo/, grpc: {}}, route: {cluster: grpc}}
  - {match: {prefix: /dead.Svc/}, route: {cluster: dead}}
  - {match: {prefix: /}, route: {cluster: backend}}`,
        staticCluster('backend', [up.port]) +
          staticCluster(
            'grpc',
            [g.port],
            `
typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicit_http_config: {http2_protocol_options: {}}`,
          ) +
          staticCluster('dead', [1]),
      ),
    );
    port = await px.port('http');
  });
  after(async () => {
    await px.stop();
    await up.close();
    g.server.forceShutdown();
  });

  it('h2c prior knowledge to an HTTP/1.1 upstream', async () => {
    const s = http2.connect(`http://127.0.0.1:${port}`);
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = s.request({ ':path': '/h2?x=1', ':method': 'POST', ':authority': 'svc.local' });
      let status = 0;
      let body = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
      req.end('payload');
    });
    s.close();
    assert.equal(r.status, 200);
    const e = JSON.parse(r.body) as Echo;
    assert.equal(e.url, '/h2?x=1');
    assert.equal(e.body, 'payload');
    assert.equal(e.headers.host, 'svc.local');
  });

  it('gRPC unary round trip with response trailers', async () => {
    const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const r = await unary(c, 'hi');
    assert.equal(r.err, null);
    assert.equal(r.value, 'echo:hi');
    assert.deepEqual(r.trailers?.get('x-trailer'), ['kept']);
    c.close();
  });

  it('gRPC error status passes through', async () => {
    const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const r = await unary(c, 'fail');
    assert.equal(r.err?.code, grpc.status.NOT_FOUND);
    assert.equal(r.err?.details, 'no such thing');
    c.close();
  });

  it('a local reply to a gRPC request is grpc-status UNAVAILABLE with the body as message', async () => {
    const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const r = await new Promise<grpc.ServiceError | null>((resolve) =>
      c.makeUnaryRequest('/dead.Svc/Call', ident, ident, Buffer.from('x'), (err) => resolve(err)),
    );
    assert.equal(r?.code, grpc.status.UNAVAILABLE);
    assert.match(
      r?.details ?? '',
      /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure/,
    );
    c.close();
  });
});
