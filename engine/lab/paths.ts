// Where the lab keeps its state. All outside the repo: images are big, keys are secrets.
import { join } from 'node:path';

/** LAB_STATE_DIR holds the lab's keys, known_hosts, pid files, logs and per-guest disks. */
export const LAB_STATE_DIR = process.env['TSPLAY_LAB_STATE'] ?? '/var/lib/tsplay-lab';

/** LAB_CACHE_DIR holds guest base images, one subdirectory per hash of their build inputs. */
export const LAB_CACHE_DIR = process.env['TSPLAY_LAB_CACHE'] ?? '/var/cache/tsplay-lab';

/** statePath joins parts under LAB_STATE_DIR. */
export function statePath(...parts: string[]): string {
  return join(LAB_STATE_DIR, ...parts);
}
