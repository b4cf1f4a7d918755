// VirtualService fault → per-route envoy.filters.http.fault HTTPFault (Istio translateFault):
// fixed delay and HTTP/gRPC abort, each applied to a percentage of requests (100% when unset).
import type { HTTPFaultInjection, Percent } from '../../../registry/specs.js';
import { GRPC_STATUS_CODES } from '../../../api/networking/http-route.js';
import { parseDuration } from '../../proto/duration.js';
import { fractionalPercent, typed, Types } from '../common.js';

function percentage(p: Percent | undefined, legacy?: number): object {
  if (p?.value !== undefined) return fractionalPercent(p.value);
  if (legacy !== undefined) return { numerator: legacy, denominator: 'HUNDRED' };
  return fractionalPercent(100);
}

/** The typed per-route fault config, or undefined when the route injects nothing. */
export function faultFilterConfig(fault: HTTPFaultInjection | undefined): object | undefined {
  if (!fault?.delay && !fault?.abort) return undefined;
  const out: Record<string, unknown> = {};
  if (fault.delay?.fixedDelay)
    out.delay = {
      fixed_delay: parseDuration(fault.delay.fixedDelay),
      percentage: percentage(fault.delay.percentage, fault.delay.percent),
    };
  if (fault.abort) {
    const code = fault.abort.grpcStatus
      ? {
          grpc_status: Number.isNaN(Number(fault.abort.grpcStatus))
            ? Math.max(
                0,
                GRPC_STATUS_CODES.indexOf(fault.abort.grpcStatus as (typeof GRPC_STATUS_CODES)[number]),
              )
            : Number(fault.abort.grpcStatus),
        }
      : { http_status: fault.abort.httpStatus ?? 500 };
    out.abort = { ...code, percentage: percentage(fault.abort.percentage) };
  }
  return typed(Types.fault, out);
}
