// RANDOM: uniform choice among healthy hosts.
import type { Host } from '../host.js';
import type { HostPicker, Random } from './types.js';

export function randomLb(hosts: readonly Host[], random: Random): HostPicker {
  return { pick: () => hosts[Math.floor(random.next() * hosts.length)] };
}
