// Each analyzer with a minimal input that triggers it and one that does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResources } from '../loader.js';
import { analyze } from './index.js';

function run(yaml: string): string[] {
  const { resources, diagnostics } = parseResources(yaml, 'in.yaml');
  return analyze(resources, diagnostics).map(
    (m) => `${m.level} [${m.code}] (${m.origin} ${m.file}:${m.line}) ${m.message}`,
  );
}

const codes = (yaml: string): string[] => run(yaml).map((l) => /\[(\w+)\]/.exec(l)![1]!);

const svc = (name: string, ns = 'weather', port = 'http'): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {app: ${name}}
  ports: [{name: ${port}, port: 3000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}-v1, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}, version: v1}}
  template:
    metadata: {labels: {app: ${name}, version: v1}}
    spec: {containers: [{name: c, image: istioweather/${name}:v1}]}
---
`;

const dr = (name: string, host: string, extra = ''): string => `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: ${name}, namespace: weather}
spec:
  host: ${host}
  subsets: [{name: v1, labels: {version: v1}}]
${extra}---
`;

const vs = (
  name: string,
  host: string,
  dest: string,
  extra = '',
): string => `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: ${name}, namespace: weather}
spec:
  hosts: [${host}]
${extra}  http:
  - route:
    - destination: {host: ${dest}, subset: v1}
---
`;

const gateway = `apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: weather-gateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
`;

test('a consistent set of resources has no findings', () => {
  assert.deepEqual(
    run(
      svc('forecast') +
        dr('forecast-dr', 'forecast') +
        vs('forecast-route', 'forecast', 'forecast') +
        gateway +
        vs(
          'frontend-route',
          '"*"',
          'forecast.weather.svc.cluster.local',
          '  gateways: [istio-system/weather-gateway]\n',
        ),
    ),
    [],
  );
});

test('IST0101: VirtualService names a missing gateway, at the line of the reference', () => {
  const out = run(
    svc('forecast') + dr('d', 'forecast') + vs('r', 'forecast', 'forecast', '  gateways: [bogus-gw]\n'),
  );
  assert.deepEqual(out.length, 1);
  assert.match(
    out[0]!,
    /^Error \[IST0101\] \(VirtualService weather\/r in\.yaml:\d+\) Referenced gateway not found: "bogus-gw"$/,
  );
  const line = Number(/in\.yaml:(\d+)/.exec(out[0]!)![1]);
  const text =
    svc('forecast') + dr('d', 'forecast') + vs('r', 'forecast', 'forecast', '  gateways: [bogus-gw]\n');
  assert.match(text.split('\n')[line - 1]!, /gateways/);
});

test('IST0101: an undefined subset, and IST0101: a host that exists nowhere', () => {
  assert.deepEqual(run(svc('forecast') + vs('r', 'forecast', 'forecast')), [
    'Error [IST0101] (VirtualService weather/r in.yaml:24) Referenced host+subset in destinationrule not found: "forecast+v1"',
  ]);
  assert.deepEqual(
    run(dr('d', 'nowhere') + vs('r', 'nowhere', 'nowhere')).map((l) => l.replace(/ \(.*\) /, ' ')),
    ['Error [IST0101] Referenced host not found: "nowhere"'],
  );
  // a ServiceEntry makes the host known; so does a Service under its FQDN
  const se = `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: ext, namespace: weather}
spec: {hosts: ["*.example.com"], ports: [{number: 80, name: http, protocol: HTTP}], resolution: NONE}
---
`;
  assert.deepEqual(
    codes(se + dr('d', 'api.example.com') + vs('r', 'api.example.com', 'api.example.com')),
    [],
  );
  assert.deepEqual(
    codes(svc('forecast') + dr('d', 'forecast.weather') + vs('r', 'x', 'forecast.weather.svc.cluster.local')),
    [],
  );
});

test('two DestinationRules for one host are reported on both', () => {
  const out = run(svc('forecast') + dr('a', 'forecast') + dr('b', 'forecast.weather.svc.cluster.local'));
  assert.equal(out.length, 2);
  assert.match(
    out[0]!,
    /\[WEFT0001\].*The DestinationRules weather\/a,weather\/b define the same host forecast\.weather\.svc\.cluster\.local/,
  );
  assert.deepEqual(codes(svc('forecast') + dr('a', 'forecast')), []);
});

test('IST0101: a Gateway selector matching no workload; the built-in ingress gateway matches', () => {
  const gw = gateway.replace('istio: ingressgateway', 'istio: egressgateway');
  assert.deepEqual(run(gw), [
    'Error [IST0101] (Gateway istio-system/weather-gateway in.yaml:5) Referenced selector not found: "istio=egressgateway"',
  ]);
  assert.deepEqual(run(gateway), []);
});

test('IST0113: STRICT mTLS for a host whose DestinationRule disables TLS (PeerAuthentication and 1.1 Policy)', () => {
  const disable = dr('ad-dr', 'advertisement', '  trafficPolicy: {tls: {mode: DISABLE}}\n');
  const pa = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: weather}
spec: {mtls: {mode: STRICT}}
---
`;
  assert.deepEqual(run(svc('advertisement') + disable + pa), [
    'Error [IST0113] (DestinationRule weather/ad-dr in.yaml:23) A DestinationRule and Policy are in conflict with regards to mTLS for host advertisement.weather.svc.cluster.local. The DestinationRule "weather/ad-dr" specifies that mTLS must be false but the Policy object "weather/default" specifies strict.',
  ]);
  const policy = `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: ad-strict, namespace: weather}
spec:
  targets: [{name: advertisement}]
  peers: [{mtls: {}}]
---
`;
  assert.deepEqual(codes(svc('advertisement') + disable + policy), ['IST0113']);
  // PERMISSIVE, or a workload policy that selects other pods, is no conflict
  assert.deepEqual(codes(svc('advertisement') + disable + pa.replace('STRICT', 'PERMISSIVE')), []);
  const otherPods = pa.replace('spec: {', 'spec: {selector: {matchLabels: {app: forecast}}, ');
  assert.deepEqual(codes(svc('advertisement') + disable + otherPods), []);
});

test('IST0109: two mesh VirtualServices for one host; gateway-only ones do not conflict', () => {
  const out = codes(
    svc('forecast') +
      dr('d', 'forecast') +
      vs('a', 'forecast', 'forecast') +
      vs('b', 'forecast.weather.svc.cluster.local', 'forecast'),
  );
  assert.deepEqual(out, ['IST0109', 'IST0109']);
  assert.deepEqual(
    codes(
      svc('forecast') +
        dr('d', 'forecast') +
        gateway +
        vs('a', 'forecast', 'forecast') +
        vs('b', 'forecast', 'forecast', '  gateways: [istio-system/weather-gateway]\n'),
    ),
    [],
  );
});

test('IST0132: a VirtualService host the bound gateway does not serve', () => {
  const gw = gateway.replace('hosts: ["*"]', 'hosts: ["www.weather.com"]');
  assert.deepEqual(
    codes(
      svc('forecast') +
        dr('d', 'forecast') +
        gw +
        vs('a', 'other.com', 'forecast', '  gateways: [istio-system/weather-gateway]\n'),
    ),
    ['IST0132'],
  );
  assert.deepEqual(
    codes(
      svc('forecast') +
        dr('d', 'forecast') +
        gw +
        vs('a', 'www.weather.com', 'forecast', '  gateways: [istio-system/weather-gateway]\n'),
    ),
    [],
  );
});

test('IST0118: a port name without a protocol prefix; IST0102: a namespace without injection', () => {
  assert.deepEqual(
    run(svc('web', 'weather', 'web')).filter((l) => l.includes('IST0118')),
    [
      "Info [IST0118] (Service weather/web in.yaml:6) Port name web (port: 3000, targetPort: 3000) doesn't follow the naming convention of Istio port.",
    ],
  );
  assert.deepEqual(codes(svc('web', 'weather', 'http-web')), []);
  const ns = (labels: string): string =>
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: weather${labels}}\n`;
  assert.deepEqual(codes(ns('')), ['IST0102']);
  assert.match(run(ns(''))[0]!, /Run 'kubectl label namespace weather istio-injection=enabled'/);
  assert.deepEqual(codes(ns(', labels: {istio-injection: enabled}')), []);
});

test('IST0173: a subset whose labels select none of the service pods', () => {
  const v2 = dr('d', 'forecast').replace(
    'version: v1}}]',
    'version: v1}}, {name: v2, labels: {version: v2}}]',
  );
  assert.deepEqual(run(svc('forecast') + v2), [
    'Error [IST0173] (DestinationRule weather/d in.yaml:22) The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
  ]);
});

test('IST0101: a Mixer rule naming a missing handler or instance', () => {
  const mixer = (handler: string): string => `apiVersion: config.istio.io/v1alpha2
kind: handler
metadata: {name: denycustomerhandler, namespace: weather}
spec:
  compiledAdapter: denier
  params: {status: {code: 7, message: Not allowed}}
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata: {name: denyrequest, namespace: weather}
spec: {compiledTemplate: checknothing}
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: {name: denycustomer, namespace: weather}
spec:
  match: destination.labels["app"] == "advertisement"
  actions: [{handler: ${handler}, instances: [denyrequest]}]
`;
  assert.deepEqual(codes(mixer('denycustomerhandler')), []);
  assert.deepEqual(
    run(mixer('nohandler')).map((l) => l.replace(/ \(.*\) /, ' ')),
    ['Error [IST0101] Referenced handler not found: "nohandler"'],
  );
});

test('schema errors are reported as IST0106 and keep the resource out of the cross-resource checks', () => {
  const out = run(vs('r', 'forecast', 'forecast').replace('hosts:', 'hostz:'));
  assert.equal(out.length, 1);
  assert.match(
    out[0]!,
    /^Error \[IST0106\] \(VirtualService weather\/r in\.yaml:5\) Schema validation error: spec\.hostz: unknown field/,
  );
});
