import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigStore } from '../config/store.js';
import { parseResources } from '../config/loader.js';
import '../api/kinds.js';
import { ServiceEntryRegistry } from './serviceentry.js';
import type { RegistryChange } from './model.js';

function apply(store: ConfigStore, yaml: string): void {
  const res = store.apply(parseResources(yaml, 'se.yaml').resources, { owner: 'test' });
  assert.ok(res.ok, JSON.stringify(res));
  store.flush();
}

const entry = `
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: db, namespace: data }
spec:
  hosts: [db.internal]
  addresses: [240.0.0.10]
  ports:
  - { number: 5432, name: tcp-pg, protocol: TCP, targetPort: 15432 }
  - { number: 8080, name: http-admin, protocol: HTTP }
  location: MESH_INTERNAL
  resolution: STATIC
  exportTo: ['.']
  endpoints:
  - { address: 192.0.2.1, ports: { tcp-pg: 6432 }, labels: { role: primary }, locality: us-east/a, weight: 3, network: n1 }
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: db-vms, namespace: data }
spec:
  hosts: [db-vm.internal]
  addresses: [240.0.0.11]
  ports: [{ number: 5432, name: tcp-pg, protocol: TCP, targetPort: 15432 }]
  location: MESH_INTERNAL
  resolution: STATIC
  workloadSelector: { labels: { app: db } }
---
apiVersion: networking.istio.io/v1beta1
kind: WorkloadEntry
metadata: { name: db-vm, namespace: data }
spec:
  address: 192.0.2.9
  labels: { app: db, role: replica }
  serviceAccount: db-sa
`;

test('a ServiceEntry becomes one service per host with endpoints from inline entries and selected WorkloadEntries', () => {
  const store = new ConfigStore({ debounceMs: 0 });
  apply(store, entry);
  const reg = new ServiceEntryRegistry(store);
  assert.deepEqual(
    reg.services().map((s) => s.hostname),
    ['db.internal', 'db-vm.internal'],
  );
  const svc = reg.service('db.internal')!;
  assert.equal(svc.resolution, 'ClientSideLB');
  assert.equal(svc.meshExternal, false);
  assert.deepEqual(svc.exportTo, ['.']);
  assert.deepEqual(svc.addresses, ['240.0.0.10']);
  assert.deepEqual(
    svc.ports.map((p) => [p.name, p.port, p.protocol]),
    [
      ['tcp-pg', 5432, 'TCP'],
      ['http-admin', 8080, 'HTTP'],
    ],
  );
  const pg = reg.endpoints('db.internal', 5432);
  assert.deepEqual(
    pg.map((e) => [e.address, e.port, e.labels.role, e.locality, e.weight, e.network]),
    [['192.0.2.1', 6432, 'primary', 'us-east/a', 3, 'n1']],
  );
  assert.deepEqual(
    reg.endpoints('db.internal', 8080).map((e) => e.port),
    [8080],
  );
  const vm = reg.endpoints('db-vm.internal', 5432);
  assert.deepEqual(
    vm.map((e) => [e.address, e.port, e.labels.role, e.serviceAccount]),
    [['192.0.2.9', 15432, 'replica', 'db-sa']],
  );
  reg.close();
});

test('WorkloadEntry changes are endpoint-only; ServiceEntry changes are full', () => {
  const store = new ConfigStore({ debounceMs: 0 });
  apply(store, entry);
  const reg = new ServiceEntryRegistry(store);
  const seen: RegistryChange[] = [];
  reg.subscribe((c) => seen.push(c));
  apply(store, entry.replace('192.0.2.9', '192.0.2.10'));
  assert.deepEqual(
    seen.map((c) => c.kind),
    ['endpoints'],
  );
  apply(store, entry.replace('MESH_INTERNAL', 'MESH_EXTERNAL'));
  assert.deepEqual(
    seen.map((c) => c.kind),
    ['endpoints', 'full'],
  );
  assert.deepEqual(seen[1]!.hosts, ['db.internal']);
  reg.close();
});
