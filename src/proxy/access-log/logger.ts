// Access loggers (config.accesslog.v3.AccessLog) by type URL: envoy.access_loggers.file and the
// stdout/stderr stream loggers; one writer per file path shared by every listener using it.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { ConfigError, type Msg } from '../config/proto.js';
import type { StreamInfo } from '../http/stream-info.js';
import { DEFAULT_FORMAT, compileJsonFormat, compileTextFormat } from './format.js';

export interface AccessLog {
  log(s: StreamInfo): void;
}

const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';
const STDERR = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog';

const files = new Map<string, WriteStream>();

function sink(path: string): Writable {
  if (path === '/dev/stdout') return process.stdout;
  if (path === '/dev/stderr') return process.stderr;
  let w = files.get(path);
  if (!w) files.set(path, (w = createWriteStream(path, { flags: 'a' })));
  return w;
}

/** SubstitutionFormatString (log_format) or the deprecated format/json_format fields. */
function formatter(c: Msg, path: string): (s: StreamInfo) => string {
  const lf: Msg | undefined = c.log_format;
  if (lf?.json_format) return compileJsonFormat(lf.json_format, `${path}.log_format.json_format`);
  const text: string | undefined = lf?.text_format ?? lf?.text_format_source?.inline_string;
  if (text !== undefined) return compileTextFormat(text, `${path}.log_format`);
  if (c.json_format) return compileJsonFormat(c.json_format, `${path}.json_format`);
  if (c.format) return compileTextFormat(c.format, `${path}.format`);
  return compileTextFormat(DEFAULT_FORMAT);
}

export function parseAccessLogs(list: Msg[] | undefined, path: string): AccessLog[] {
  return (list ?? []).map((al, i) => {
    const p = `${path}[${i}]`;
    if (al.filter) throw new ConfigError(`${p}.filter`, 'access log filters are not supported');
    const c: Msg = al.typed_config ?? {};
    const fmt = formatter(c, `${p}.typed_config`);
    let out: Writable;
    switch (c['@type']) {
      case FILE:
        if (!c.path) throw new ConfigError(`${p}.typed_config.path`, 'path is required');
        out = sink(c.path as string);
        break;
      case STDOUT:
        out = process.stdout;
        break;
      case STDERR:
        out = process.stderr;
        break;
      default:
        throw new ConfigError(`${p}.typed_config`, `unsupported access logger ${c['@type'] ?? al.name}`);
    }
    return { log: (s) => void out.write(fmt(s)) };
  });
}
