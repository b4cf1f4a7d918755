// RDS route configurations by name (and the inline ones), as last ACKed. HCMs look their table
// up per request by name and recompile only when the stored object changes identity.
import type { Msg } from '../config/proto.js';

export class RouteConfigStore {
  private readonly configs = new Map<string, Msg>();
  private readonly versions = new Map<string, string>();

  get(name: string): Msg | undefined {
    return this.configs.get(name);
  }

  /** State of the world for RDS: names not listed keep their last value (Envoy keeps them while referenced). */
  set(name: string, config: Msg, version: string): void {
    this.configs.set(name, config);
    this.versions.set(name, version);
  }

  delete(name: string): void {
    this.configs.delete(name);
    this.versions.delete(name);
  }

  entries(): { name: string; config: Msg; version: string }[] {
    return [...this.configs].map(([name, config]) => ({
      name,
      config,
      version: this.versions.get(name) ?? '',
    }));
  }
}
