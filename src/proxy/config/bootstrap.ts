// Envoy bootstrap (envoy.config.bootstrap.v3.Bootstrap) from a JSON or YAML file, validated
// against the proto; the result has the same decoded shape as xDS resources.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseProtoJson, type Msg } from './proto.js';

export const BOOTSTRAP_TYPE = 'envoy.config.bootstrap.v3.Bootstrap';

export function parseBootstrapText(text: string, source = 'bootstrap'): Msg {
  let raw: unknown;
  try {
    raw = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${source}: not an object`);
  try {
    return parseProtoJson(BOOTSTRAP_TYPE, raw as Msg);
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`${source}: ${e.message}`, { cause: e });
    throw e;
  }
}

export function loadBootstrapFile(file: string): Msg {
  return parseBootstrapText(readFileSync(file, 'utf8'), file);
}
