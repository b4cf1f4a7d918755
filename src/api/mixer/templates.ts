// Mixer's compiled templates in Istio 1.1 (mixer/template/inventory.yaml plus kubernetesenv's
// "kubernetes"): each instance field is an expression, checked against its declared type.
import { map } from '../schema/dsl.js';
import { expression, pbObj } from './fields.js';

export type Variety = 'CHECK' | 'REPORT' | 'QUOTA' | 'ATTRIBUTE_GENERATOR';

const anyValue = (): ReturnType<typeof expression> => expression();
const values = (): ReturnType<typeof map<string>> => map(expression());

export const TEMPLATES = {
  apikey: {
    variety: 'CHECK',
    params: pbObj({
      api: expression('STRING'),
      api_version: expression('STRING'),
      api_operation: expression('STRING'),
      api_key: expression('STRING'),
      timestamp: expression('TIMESTAMP'),
    }),
  },
  authorization: {
    variety: 'CHECK',
    params: pbObj({
      subject: pbObj({ user: expression('STRING'), groups: expression('STRING'), properties: values() }),
      action: pbObj({
        namespace: expression('STRING'),
        service: expression('STRING'),
        method: expression('STRING'),
        path: expression('STRING'),
        properties: values(),
      }),
    }),
  },
  checknothing: { variety: 'CHECK', params: pbObj({}) },
  edge: {
    variety: 'REPORT',
    params: pbObj({
      timestamp: expression('TIMESTAMP'),
      ...Object.fromEntries(
        [
          'source_workload_namespace',
          'source_workload_name',
          'source_owner',
          'source_uid',
          'destination_workload_namespace',
          'destination_workload_name',
          'destination_owner',
          'destination_uid',
          'destination_service_namespace',
          'destination_service_name',
          'context_protocol',
          'api_protocol',
        ].map((f) => [f, expression('STRING')]),
      ),
    }),
  },
  kubernetes: {
    variety: 'ATTRIBUTE_GENERATOR',
    params: pbObj({
      source_uid: expression('STRING'),
      source_ip: expression('IP_ADDRESS'),
      destination_uid: expression('STRING'),
      destination_ip: expression('IP_ADDRESS'),
      destination_port: expression('INT64'),
    }),
  },
  listentry: { variety: 'CHECK', params: pbObj({ value: anyValue() }) },
  logentry: {
    variety: 'REPORT',
    params: pbObj({
      variables: values(),
      timestamp: expression('TIMESTAMP'),
      severity: expression('STRING'),
      monitored_resource_type: expression('STRING'),
      monitored_resource_dimensions: values(),
    }),
  },
  metric: {
    variety: 'REPORT',
    params: pbObj({
      value: anyValue(),
      dimensions: values(),
      monitored_resource_type: expression('STRING'),
      monitored_resource_dimensions: values(),
    }),
  },
  quota: { variety: 'QUOTA', params: pbObj({ dimensions: values() }) },
  reportnothing: { variety: 'REPORT', params: pbObj({}) },
  tracespan: {
    variety: 'REPORT',
    params: pbObj({
      trace_id: expression('STRING'),
      span_id: expression('STRING'),
      parent_span_id: expression('STRING'),
      span_name: expression('STRING'),
      start_time: expression('TIMESTAMP'),
      end_time: expression('TIMESTAMP'),
      span_tags: values(),
      httpStatusCode: expression('INT64'),
      client_span: expression('BOOL'),
      rewrite_client_span_id: expression('BOOL'),
      source_name: expression('STRING'),
      source_ip: expression('IP_ADDRESS'),
      destination_name: expression('STRING'),
      destination_ip: expression('IP_ADDRESS'),
      request_size: expression('INT64'),
      request_total_size: expression('INT64'),
      response_size: expression('INT64'),
      response_total_size: expression('INT64'),
      api_protocol: expression('STRING'),
    }),
  },
} as const satisfies Record<string, { variety: Variety; params: unknown }>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];
