// Child process for persisted.test.ts: applies and deletes Gateways in a loop against a state
// directory, printing "begin N NAME PORT|-" before each operation and "ack N" once it is durable.
import { writeSync } from 'node:fs';
import { ConfigStore } from '../../store.js';
import { PersistedConfig } from '../persisted.js';

const [stateDir, startArg] = process.argv.slice(2);
const { persisted } = await PersistedConfig.open(new ConfigStore(), stateDir!);
for (let i = Number(startArg); ; i++) {
  const name = `g-${i % 23}`;
  const remove = i % 7 === 3;
  const port = 1000 + (i % 60000);
  writeSync(1, `begin ${i} ${name} ${remove ? '-' : port}\n`);
  if (remove)
    await persisted.delete([{ group: 'networking.istio.io', kind: 'Gateway', namespace: 'default', name }]);
  else {
    const r = await persisted.apply([
      {
        resource: {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'Gateway',
          metadata: { name },
          spec: { servers: [{ port: { number: port, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
        },
      },
    ]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  }
  writeSync(1, `ack ${i}\n`);
}
