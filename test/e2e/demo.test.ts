// `bin/weft demo` as a user runs it: the compiled CLI (dist/, built by `npm install` or `npm run
// build`) in the foreground, the page URL on stdout, the page through the ingress on 127.0.0.1,
// then Ctrl-C (SIGINT) removes every namespace, link and file of the run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { TestMesh, meshSkipReason } from './mesh.js';

const BIN = fileURLToPath(new URL('../../bin/weft', import.meta.url));
const skip = await meshSkipReason();
const mesh = new TestMesh();

after(async () => {
  if (skip) return;
  await mesh.down();
  rmSync(mesh.stateDir, { recursive: true, force: true });
});

const netnsList = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);

test(
  'weft demo: prints the URL, the weather page answers through 127.0.0.1, Ctrl-C removes everything',
  { skip },
  async () => {
    const demo = spawn(process.execPath, [BIN, 'demo', ...mesh.upFlags(), '--timeout', '120'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    demo.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 120s:\n${stdout}\n${stderr}`)), 120_000);
      demo.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /Weather page:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`weft demo exited (${code}):\n${stdout}\n${stderr}`)));
    });
    assert.equal(url, `http://127.0.0.1:${mesh.ingressPort}/`);
    assert.match(stdout, /Try a canary/);
    assert.match(stdout, /weather-v2\.yaml/);
    // Run as bin/weft from the checkout, the hints name bin/weft so they can be pasted as they are.
    assert.match(stdout, /^ {4}bin\/weft apply -f \S+weather-v2\.yaml$/m);

    const res = await fetch(`${url}?city=Oslo`);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /data-version="v1"/);
    assert.match(html, /Oslo: /);

    const runDir = join(mesh.stateDir, 'run');
    const run = readdirSync(runDir)
      .filter((f) => /^run-[0-9a-f]+\.json$/.test(f))
      .map((f) => JSON.parse(readFileSync(join(runDir, f), 'utf8')) as { runId: string; bridge: string })[0]!;
    assert.ok(
      netnsList().some((n) => n.startsWith(`weft-${run.runId}-`)),
      'no pod namespaces while running',
    );

    demo.kill('SIGINT');
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('timeout'), 60_000).unref()),
    ]);
    assert.equal(code, 0, `weft demo after SIGINT: ${String(code)}\n${stderr}`);
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith(`weft-${run.runId}-`)),
      [],
    );
    const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as {
      ifname: string;
    }[];
    assert.ok(!links.some((l) => l.ifname === run.bridge), `bridge ${run.bridge} remains`);
    assert.ok(!existsSync(join(mesh.stateDir, 'runtime.json')), 'runtime.json remains');
    await assert.rejects(fetch(url), 'the ingress still answers after Ctrl-C');
  },
);
