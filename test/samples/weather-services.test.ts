// The weather sample's services, run as real processes from the image catalogue on loopback.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, test } from 'node:test';
import { loadImageCatalogue } from '../../src/runtime/images.js';

const procs: ChildProcess[] = [];
after(() => procs.forEach((p) => p.kill('SIGKILL')));

async function start(image: string, env: Record<string, string> = {}): Promise<number> {
  const cat = await loadImageCatalogue('samples/weather/images.yaml');
  const img = cat.resolve(image);
  assert.ok(img, image);
  const [cmd, ...args] = img.command;
  const p = spawn(cmd!, [...args, ...img.args], {
    env: { ...process.env, ...img.env, PORT: '0', ...env },
    cwd: img.cwd,
  });
  procs.push(p);
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    p.on('exit', (code) => reject(new Error(`${image} exited ${code}: ${out}`)));
  });
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers });
  return { status: r.status, body: await r.text() };
}

test('frontend v1 page: green buttons, weather and an ad, no recommendation', async () => {
  const [ad, fc] = await Promise.all([
    start('istioweather/advertisement:v1'),
    start('istioweather/forecast:v1'),
  ]);
  const fe = await start('istioweather/frontend:v1', {
    FORECAST_URL: `http://127.0.0.1:${fc}`,
    ADVERTISEMENT_URL: `http://127.0.0.1:${ad}`,
  });
  const page = await get(`http://127.0.0.1:${fe}/?city=paris`);
  assert.equal(page.status, 200);
  assert.match(page.body, /data-version="v1"/);
  assert.match(page.body, /background:green/);
  assert.match(page.body, /id="weather" data-forecast-version="v1">paris: /);
  assert.match(page.body, /data-ad-version="v1"/);
  assert.doesNotMatch(page.body, /id="recommendation"/);
  const data = await get(`http://127.0.0.1:${fe}/data/weather?locate=oslo`);
  assert.equal(JSON.parse(data.body).city, 'oslo');
  const login = await fetch(`http://127.0.0.1:${fe}/login?user=tester`, { redirect: 'manual' });
  assert.match(login.headers.get('set-cookie') ?? '', /^user=tester/);
});

test('forecast v2 adds a recommendation; frontend v2 is blue; a dead ad service shows unavailable', async () => {
  const rec = await start('istioweather/recommendation:v1');
  const fc = await start('istioweather/forecast:v2', { RECOMMENDATION_URL: `http://127.0.0.1:${rec}` });
  const fe = await start('istioweather/frontend:v2', {
    FORECAST_URL: `http://127.0.0.1:${fc}`,
    ADVERTISEMENT_URL: 'http://127.0.0.1:1',
  });
  const page = await get(`http://127.0.0.1:${fe}/?city=rome`);
  assert.match(page.body, /background:blue/);
  assert.match(page.body, /id="recommendation">Wear /);
  assert.match(page.body, /advertisement unavailable/);
});

test('advertisement v3 fails about half the time', async () => {
  const ad = await start('istioweather/advertisement:v3');
  let errors = 0;
  for (let i = 0; i < 200; i++) if ((await get(`http://127.0.0.1:${ad}/ad`)).status === 500) errors++;
  assert.ok(errors > 60 && errors < 140, `errors=${errors}`);
});

test('tcp-echo prefixes each line with its version; httpbin answers /status and /headers', async () => {
  const port = await start('istioweather/tcp-echo:v2');
  const reply = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end('hello\nworld\n'));
    let out = '';
    s.on('data', (c) => (out += c.toString()));
    s.on('end', () => resolve(out));
  });
  assert.equal(reply, 'v2 hello\nv2 world\n');
  const hb = await start('kennethreitz/httpbin');
  assert.equal((await get(`http://127.0.0.1:${hb}/status/418`)).status, 418);
  const h = JSON.parse((await get(`http://127.0.0.1:${hb}/headers`, { 'x-test': 'yes' })).body);
  assert.equal(h.headers['x-test'], 'yes');
});
