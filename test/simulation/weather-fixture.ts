// The weather sample as the simulation tests see it (scenarios.md): four HTTP services in `weather`
// with v1/v2 pods, tcp-echo, httpbin and sleep, and the ingress gateway in istio-system.
import type { PodSpec, ServiceSpec } from './harness.js';

const pod = (name: string, namespace: string, ip: string, labels: Record<string, string>): PodSpec => ({
  name,
  namespace,
  ip,
  labels,
});

export const pods = {
  frontendV1: pod('frontend-v1-0', 'weather', '10.244.0.10', { app: 'frontend', version: 'v1' }),
  frontendV2: pod('frontend-v2-0', 'weather', '10.244.0.11', { app: 'frontend', version: 'v2' }),
  adV1: pod('advertisement-v1-0', 'weather', '10.244.0.20', { app: 'advertisement', version: 'v1' }),
  adV1b: pod('advertisement-v1-1', 'weather', '10.244.0.23', { app: 'advertisement', version: 'v1' }),
  adV2: pod('advertisement-v2-0', 'weather', '10.244.0.21', { app: 'advertisement', version: 'v2' }),
  forecastV1: pod('forecast-v1-0', 'weather', '10.244.0.30', { app: 'forecast', version: 'v1' }),
  forecastV2: pod('forecast-v2-0', 'weather', '10.244.0.31', { app: 'forecast', version: 'v2' }),
  recommendationV1: pod('recommendation-v1-0', 'weather', '10.244.0.40', {
    app: 'recommendation',
    version: 'v1',
  }),
  tcpEchoV1: pod('tcp-echo-v1-0', 'weather', '10.244.0.50', { app: 'tcp-echo', version: 'v1' }),
  tcpEchoV2: pod('tcp-echo-v2-0', 'weather', '10.244.0.51', { app: 'tcp-echo', version: 'v2' }),
  httpbinWeather: pod('httpbin-0', 'weather', '10.244.0.60', { app: 'httpbin' }),
  httpbinDefault: pod('httpbin-0', 'default', '10.244.1.60', { app: 'httpbin' }),
  sleep: pod('sleep-0', 'default', '10.244.1.70', { app: 'sleep' }),
  ingress: pod('istio-ingressgateway-0', 'istio-system', '10.244.2.2', {
    istio: 'ingressgateway',
    app: 'istio-ingressgateway',
  }),
};

export const VIPS = {
  frontend: '10.96.1.1',
  advertisement: '10.96.1.2',
  forecast: '10.96.1.3',
  recommendation: '10.96.1.4',
  tcpEcho: '10.96.1.5',
  httpbinWeather: '10.96.1.6',
  httpbinDefault: '10.96.2.6',
};

const svc = (name: string, namespace: string, vip: string, port: number, portName = 'http'): ServiceSpec => ({
  name,
  namespace,
  vip,
  ports: [{ name: portName, port }],
  selector: { app: name },
});

export const services: ServiceSpec[] = [
  svc('frontend', 'weather', VIPS.frontend, 3000),
  svc('advertisement', 'weather', VIPS.advertisement, 3003),
  svc('forecast', 'weather', VIPS.forecast, 3002),
  svc('recommendation', 'weather', VIPS.recommendation, 3005),
  svc('tcp-echo', 'weather', VIPS.tcpEcho, 9000, 'tcp'),
  svc('httpbin', 'weather', VIPS.httpbinWeather, 8000),
  svc('httpbin', 'default', VIPS.httpbinDefault, 8000),
  {
    name: 'istio-ingressgateway',
    namespace: 'istio-system',
    vip: '10.96.0.100',
    ports: [
      { name: 'http2', port: 80, targetPort: 8080 },
      { name: 'https', port: 443, targetPort: 8443 },
      { name: 'tcp', port: 31400, targetPort: 31400 },
    ],
    selector: { istio: 'ingressgateway' },
  },
];

const dr = (name: string, subsets: string[], extra = ''): string => `
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: ${name}-dr, namespace: weather }
spec:
  host: ${name}
${extra}  subsets:
${subsets.map((v) => `  - name: ${v}\n    labels: { version: ${v} }`).join('\n')}
`;

/** The sample's Gateway, frontend-route and DestinationRules, minus any named in `skip`. */
export function weatherYaml(skip: string[] = []): string {
  const docs = [
    `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: weather-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ['*']
`,
    `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: frontend-route, namespace: weather }
spec:
  hosts: ['*']
  gateways: [istio-system/weather-gateway]
  http:
  - route:
    - destination: { host: frontend, subset: v1 }
`,
    dr('frontend', ['v1', 'v2']),
    dr('advertisement', ['v1', 'v2', 'v3']),
    dr('forecast', ['v1', 'v2']),
    dr('tcp-echo', ['v1', 'v2']),
  ];
  return docs.filter((d) => !skip.some((name) => d.includes(`name: ${name},`))).join('\n---\n');
}
