// The shared lab pass: test/run.ts holds the lab lock for all of the lab's files, runs them one
// after another, and names the pass in LAB_PASS_ENV (a directory of its own). A file whose `done`
// passed, with the lab in a state one site.yml run brings back to the description, leaves a
// record there; run.ts drops it when any of the file's tests failed (ava's exit code covers
// tests, hooks and crashes alike); the next file takes the record (deleting it first, so a file
// that dies half-way leaves none) and reuses the lab instead of `lab down` + `lab up` + site.yml
// from bare. No record, or a lab that no longer answers: the next file builds its own.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../engine/lab/lab-host.ts';
import { labStatus } from '../../engine/lab/lab-status.ts';
import { sshArgv } from '../../engine/lab/ssh-check.ts';
import { GUESTS } from '../../engine/lab/topology.ts';

/** LAB_PASS_ENV names the pass's directory; set only by test/run.ts, which holds the lab lock meanwhile. */
export const LAB_PASS_ENV = 'TSPLAY_LAB_PASS';

/** LabRecord is what a file says it left the lab as. */
export interface LabRecord {
  /** the test file that left the lab up */
  readonly file: string;
}

const recordPath = (dir: string): string => join(dir, 'lab.json');

/** labPassDir is the shared pass's directory, or undefined for a file run on its own. */
export function labPassDir(): string | undefined {
  return process.env[LAB_PASS_ENV] || undefined;
}

/** dropLabRecord forgets what the last file left: test/run.ts calls it after a file that failed. */
export function dropLabRecord(dir: string): void {
  rmSync(recordPath(dir), { force: true });
}

/** takeLabRecord reads and removes the record the previous file of the pass left, if any. */
export function takeLabRecord(dir: string): LabRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordPath(dir), 'utf8');
  } catch {
    return undefined;
  }
  dropLabRecord(dir);
  return JSON.parse(text) as LabRecord;
}

/** leaveLabRecord tells the next file of the pass that the lab is up and reusable. */
export function leaveLabRecord(dir: string, record: LabRecord): void {
  writeFileSync(recordPath(dir), JSON.stringify(record));
}

/** labAnswers is true when every hypervisor and guest answers ssh (`lab status`). */
export async function labAnswers(): Promise<boolean> {
  return (await labStatus()).every((r) => r.ssh);
}

/** BARE_GUEST (sh) takes a guest back to what the hypervisor play leaves. */
// A guest as the hypervisor play leaves it (booted from the base image and its seed): no team,
// bond or ethernet profile but the management one on eth0, no team or bond device. The guest
// play's team (site.yml in full, roles-guest, team.test.ts) is undone profile by profile.
// One nmcli delete for all of them: each nmcli start costs ~1.2 s on the TCG guest.
export const BARE_GUEST = `u=$(nmcli -g UUID,TYPE,DEVICE connection show | awk -F: '$2 ~ /^(team|bond|802-3-ethernet)$/ && $3 != "eth0" { print "uuid " $1 }'); [ -z "$u" ] || nmcli connection delete $u >/dev/null
ip link del team0 2>/dev/null; ip link del bond0 2>/dev/null; true`;

/** bareGuests takes every guest back to what the hypervisor play leaves (see BARE_GUEST). */
export async function bareGuests(): Promise<void> {
  await Promise.all(
    GUESTS.map(async (g) => {
      const r = await runTool(sshArgv(g.name, ['sh', '-c', BARE_GUEST]), { timeoutMs: 120_000 });
      if (r.rc !== 0) throw new Error(`${g.name}: taking the guest back to bare failed (rc ${r.rc}): ${r.stderr}`);
    }),
  );
}
