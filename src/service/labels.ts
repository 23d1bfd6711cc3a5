// Labels and names of what `serve` creates. The route table lives in the labels (route id,
// port inside) and the container name (warm vs handed out), so a restarted service can adopt.
import type { Labels } from '../engine/types.js';
import { baseLabels, OCI } from '../labels.js';

export const SL = {
  service: 'org.transferctl.serve.name',
  route: 'org.transferctl.serve.route',
  port: 'org.transferctl.serve.port',
} as const;

export const prefixFor = (service: string) => `tcs-${service}`;
export const networkName = (service: string) => `${prefixFor(service)}-net`;

/** A warm container: `tcs-NAME-ROUTE`; handed out: `tcs-NAME-ROUTE-uTIME` (TIME in base 36 seconds). */
export function warmName(service: string, route: string): string {
  return `${prefixFor(service)}-${route}`;
}

export function assignedName(service: string, route: string, assignedAt: number): string {
  return `${warmName(service, route)}-u${Math.floor(assignedAt / 1000).toString(36)}`;
}

/** When a container name says it was handed out, the time (ms) it was. */
export function assignedAtFromName(name: string): number | undefined {
  const m = /-u([0-9a-z]+)$/.exec(name);
  return m ? parseInt(m[1], 36) * 1000 : undefined;
}

export function poolLabels(service: string, route: string, port: number): Labels {
  return {
    ...baseLabels('pool'),
    [SL.service]: service,
    [SL.route]: route,
    [SL.port]: String(port),
    [OCI.title]: `transferctl serve ${service}: visitor notebook`,
  };
}

export function networkLabels(service: string): Labels {
  return { ...baseLabels('service'), [SL.service]: service };
}
