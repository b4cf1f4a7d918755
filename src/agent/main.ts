// Entry point of the agent process the runtime starts in each pod (uid 1337, inside the pod's
// network namespace). Reads its AgentConfig from stdin and its certificate settings from the
// environment; SIGTERM drains and stops the proxy.
import { text } from 'node:stream/consumers';
import { startAgent } from './agent.js';
import { parseAgentConfig } from './config.js';
import { secretOptionsFromEnv } from './secret-options.js';

const log = (msg: string): void => {
  process.stderr.write(`${new Date().toISOString()} agent: ${msg}\n`);
};

try {
  const cfg = parseAgentConfig(await text(process.stdin));
  // Istio's injector turns the pod's proxyMetadata into the agent's environment.
  const agent = await startAgent(cfg, secretOptionsFromEnv(process.env, log), log);
  process.once('SIGTERM', () => void agent.terminate());
  process.once('SIGINT', () => void agent.terminate());
  process.exit(await agent.done);
} catch (e) {
  log(`failed: ${(e as Error).message}`);
  process.exitCode = 1;
}
