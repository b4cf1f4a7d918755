// envoy.config.core.v3.DataSource (filename, inline_bytes, inline_string, environment_variable)
// → the text it holds; certificates and keys are PEM, so text is all TLS needs.
import { readFileSync } from 'node:fs';
import { ConfigError, type Msg } from '../config/proto.js';

export function readDataSource(ds: Msg | undefined, path: string): string | undefined {
  if (!ds) return undefined;
  // Decoded protos carry bytes as base64 strings (CONVERSION bytes: String).
  if (ds.inline_bytes !== undefined) return Buffer.from(ds.inline_bytes as string, 'base64').toString();
  if (ds.inline_string !== undefined) return ds.inline_string as string;
  if (ds.filename !== undefined) {
    try {
      return readFileSync(ds.filename as string, 'utf8');
    } catch (e) {
      throw new ConfigError(`${path}.filename`, `cannot read ${ds.filename}: ${(e as Error).message}`);
    }
  }
  if (ds.environment_variable !== undefined) {
    const v = process.env[ds.environment_variable as string];
    if (v === undefined)
      throw new ConfigError(`${path}.environment_variable`, `${ds.environment_variable} is not set`);
    return v;
  }
  return undefined;
}
