// Command-line options the config commands share; kept free of heavy imports (CLI start-up).
import { Option } from 'commander';

/** Commander's collector for a repeatable option (`-f a -f b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** --server and --state-dir: where to find the running control plane. */
export function serverOptions(): Option[] {
  return [
    new Option(
      '--server <address>',
      "control plane HTTP address (default: from the state directory's control-plane.json)",
    ),
    new Option(
      '--state-dir <dir>',
      'state directory (default $WEFT_STATE_DIR, /var/lib/weft as root, else ~/.weft)',
    ),
  ];
}
