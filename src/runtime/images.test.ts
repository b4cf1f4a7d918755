import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadImageCatalogue, parseImageCatalogue } from './images.js';

test('the weather catalogue maps every sample image to a command under the sample folder', async () => {
  const cat = await loadImageCatalogue('samples/weather/images.yaml');
  const fe = cat.resolve('istioweather/frontend:v2');
  assert.ok(fe);
  assert.match(fe.command.at(-1)!, /samples\/weather\/services\/frontend\.ts$/);
  assert.equal(fe.env.VERSION, 'v2');
  assert.equal(cat.resolve('istioweather/frontend:v9'), undefined);
  assert.ok(cat.resolve('kennethreitz/httpbin'), 'tag-less image resolves');
});

test('a bad catalogue names file, line and field', () => {
  assert.throws(
    () => parseImageCatalogue('images:\n  a:v1:\n    comand: [x]\n', 'cat.yaml'),
    /cat\.yaml:3: images\["a:v1"\]\.comand: unknown field "comand" \(did you mean "command"\?\)/,
  );
  assert.throws(() => parseImageCatalogue('images: [\n', 'bad.yaml'), /bad\.yaml:\d+: YAML syntax error/);
});
