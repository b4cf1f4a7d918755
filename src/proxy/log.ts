// The proxy's own log (stderr), with Envoy's level names; POST /logging?level= changes it.
export const LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const;
export type Level = (typeof LEVELS)[number];

let current = LEVELS.indexOf('info');

export function setLevel(l: string): boolean {
  const i = LEVELS.indexOf((l === 'warn' ? 'warning' : l) as Level);
  if (i < 0) return false;
  current = i;
  return true;
}

export function level(): Level {
  return LEVELS[current]!;
}

function at(l: Level, msg: string): void {
  if (LEVELS.indexOf(l) >= current) process.stderr.write(`[${new Date().toISOString()}][${l}] ${msg}\n`);
}

export const log = {
  debug: (m: string): void => at('debug', m),
  info: (m: string): void => at('info', m),
  warn: (m: string): void => at('warning', m),
  error: (m: string): void => at('error', m),
};
