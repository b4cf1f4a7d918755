// Pilot's aggregate controller: queries fan out to every registry; for a host known to several,
// the first registry's service wins and endpoints are concatenated.
import type { Endpoint, RegistryHandler, Service, ServiceDiscovery } from './model.js';

export class AggregateRegistry implements ServiceDiscovery {
  constructor(private readonly registries: readonly ServiceDiscovery[]) {}

  services(): Service[] {
    const out = new Map<string, Service>();
    for (const r of this.registries)
      for (const s of r.services()) if (!out.has(s.hostname)) out.set(s.hostname, s);
    return [...out.values()];
  }

  service(hostname: string): Service | undefined {
    for (const r of this.registries) {
      const s = r.service(hostname);
      if (s) return s;
    }
    return undefined;
  }

  endpoints(hostname: string, port: number): Endpoint[] {
    return this.registries.flatMap((r) => r.endpoints(hostname, port));
  }

  subscribe(handler: RegistryHandler): () => void {
    const offs = this.registries.map((r) => r.subscribe(handler));
    return () => offs.forEach((off) => off());
  }
}
