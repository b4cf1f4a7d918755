// Guards Generator.scopeKey: proxies with equal scope must get identical config (else the ADS
// server would hand one proxy another's config), and proxies without instances do share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateAll, routerProxy, setupMesh, sidecarProxy } from '../../../test/simulation/harness.js';
import { pods, services, weatherYaml } from '../../../test/simulation/weather-fixture.js';
import { proxyScope } from './scope.js';

test('equal scope keys mean equal generated config on the weather mesh', () => {
  const { push } = setupMesh({ yaml: weatherYaml(), services, pods: Object.values(pods) });
  const client = (name: string, ip: string) =>
    sidecarProxy({ name, namespace: 'default', ip, labels: { app: 'client' } });
  const proxies = [
    ...Object.values(pods).map((p) =>
      p.labels.istio === 'ingressgateway' ? routerProxy(p) : sidecarProxy(p),
    ),
    client('client-a', '10.9.0.1'),
    client('client-b', '10.9.0.2'),
  ];
  const byKey = new Map<string, string>();
  for (const proxy of proxies) {
    const key = proxyScope(proxy, push);
    const config = JSON.stringify(generateAll(proxy, push));
    const seen = byKey.get(key);
    if (seen !== undefined) assert.equal(config, seen, `${proxy.id} differs from a proxy with its scope`);
    byKey.set(key, config);
  }
  assert.equal(proxyScope(proxies.at(-1)!, push), proxyScope(proxies.at(-2)!, push));
  assert.notEqual(proxyScope(proxies[0]!, push), proxyScope(proxies[1]!, push));
});
