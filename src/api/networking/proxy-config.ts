// ProxyConfig (networking.istio.io/v1beta1): per-workload proxy settings — concurrency,
// environment variables and image type — for the selected workloads.
import { int, map, obj, str, type Infer } from '../schema/dsl.js';
import { WorkloadSelector } from '../common.js';

export const ProxyConfig = obj({
  selector: WorkloadSelector,
  concurrency: int({ min: 0, allowString: true }),
  environmentVariables: map(str()),
  image: obj({ imageType: str() }),
});
export type ProxyConfig = Infer<typeof ProxyConfig>;
