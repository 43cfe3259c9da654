// The terminal view, looked at in a real terminal: the CLI runs in a tmux pane (120×40) against
// real sshd hosts, 1, 10 and 50 of them, and the pane's screen and scrollback are read back.
// A finished task must be one line with its counts, only changed/failed/skipped hosts listed
// under it, the live header must show task n/m and hosts done, -D diffs must stay, and the
// lines scrolled must grow with the tasks, not with the hosts. The screens in tty-view/screens/
// are what it looks like (timer, spinner and temp paths normalised); the test checks they still
// are (TSPLAY_WRITE_SCREENS=1 rewrites them after a deliberate change of the view).
import test from 'ava';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWorkDir, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { openTerminal } from '../helpers/tmux.ts';

const here = join(import.meta.dirname, 'tty-view');
const screens = join(here, 'screens');
const bin = join(import.meta.dirname, '../../bin/tsplay.js');
const TASKS = 10;
let hs: TestHosts;
let work: string;

test.before(async () => {
  hs = await createTestHosts(50);
  work = cliWorkDir(hs, 'tsplay-tty-view-');
  copyFileSync(join(here, 'site.yml'), join(work, 'site.yml'));
  // one inventory per size, the first N hosts of the same 50 sshds
  const [group, ...lines] = readFileSync(join(work, 'inventory.ini'), 'utf8').trim().split('\n');
  for (const n of [1, 10, 50]) writeFileSync(join(work, `inv-${n}.ini`), `${group}\n${lines.slice(0, n).join('\n')}\n`);
});
test.after.always(async () => {
  await hs?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** normalise hides what changes from run to run: the clock, the spinner frame, the hosts' temp dirs. */
function normalise(rows: readonly string[]): string {
  return `${rows
    .map((r) =>
      r
        .replace(/ · \d+:\d\d$/, ' · m:ss')
        .replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '⠋')
        .split(hs.dir)
        .join('<hosts>'),
    )
    .join('\n')}\n`;
}

/** sameAsStored reads with (or, asked to, rewrites) a stored screen. */
function sameAsStored(name: string, text: string): string {
  const file = join(screens, `${name}.txt`);
  if (process.env['TSPLAY_WRITE_SCREENS'] === '1') {
    mkdirSync(screens, { recursive: true });
    writeFileSync(file, text);
  }
  return readFileSync(file, 'utf8');
}

interface Seen {
  code: number;
  scrollback: string[];
  /** the screen while the slow host held task 7 up, every other host done */
  live: string[] | undefined;
}

async function runInTmux(n: number, extra: string[] = [], o: { interrupt?: boolean } = {}): Promise<Seen> {
  // every run starts from scratch: h2's motd is written (changed) each time
  rmSync(join(hs.byName.get('h2')?.root ?? '/nonexistent', 'motd'), { force: true });
  const argv = ['env', `HOME=${join(work, 'home')}`, process.execPath, bin, 'site.yml', '-i', `inv-${n}.ini`, '-f', '50', ...extra];
  const term = openTerminal(argv, { cols: 120, rows: 40, cwd: work, env: process.env });
  try {
    const header = `· task 7/${TASKS} · ${n - 1}/${n} hosts done · `;
    let live: string[] | undefined;
    const deadline = Date.now() + 120_000;
    // the slow host sleeps 5 s in task 7: look (every 100 ms) until the others are done there
    while (live === undefined && Date.now() < deadline) {
      const s = term.screen();
      if (s.some((r) => r.includes(header)) && s.some((r) => r.includes('waiting for h1'))) {
        live = s;
        if (o.interrupt) term.keys('C-c');
      } else if (s.some((r) => r.startsWith('PLAY RECAP'))) break;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const code = await term.exited(120_000);
    return { code, scrollback: term.scrollback(), live };
  } finally {
    term.teardown();
  }
}

/** between is the rows after the PLAY banner and before the PLAY RECAP: the tasks' part of the view. */
function taskRows(rows: readonly string[]): string[] {
  const start = rows.findIndex((r) => r.startsWith('PLAY [terminal view]'));
  const end = rows.findIndex((r) => r.startsWith('PLAY RECAP'));
  return rows.slice(start + 1, end).filter((r) => r !== '');
}

const scrolled = new Map<number, number>();

for (const n of [1, 10, 50]) {
  test.serial(`${n} host(s): one line per finished task with its counts, changed/failed/skipped hosts under it, a live header`, async (t) => {
    const seen = await runInTmux(n);
    const text = seen.scrollback.join('\n');
    t.is(seen.code, 0, text);
    const rows = taskRows(seen.scrollback);
    const titles = rows.filter((r) => /^[✔✖↓] TASK \[/.test(r));
    t.is(titles.length, TASKS, text);
    t.true(rows.includes(`✔ TASK [Read load average]  ${n} ok`), text);
    t.true(rows.includes(`✔ TASK [Echo items]  ${n} ok`), 'a loop task collapses like any other');
    // no host is listed for a task where nothing happened to it
    t.false(
      rows.some((r) => /^\s+(✔ )?ok: /.test(r)),
      text,
    );
    if (n >= 10) {
      const at = (title: string): number => rows.findIndex((r) => r.startsWith(`✔ TASK [${title}]`));
      t.is(rows[at('Write motd')], `✔ TASK [Write motd]  1 changed, ${n - 1} skipped`);
      t.is(rows[at('Write motd') + 1], '  changed: h2');
      t.is(rows[at('Write motd') + 2], `  skipping: h1, h[3:${n}]`);
      t.is(rows[at('Flag a change') + 1], '  changed: h3');
      t.is(rows[at('Check the disk')], `✔ TASK [Check the disk]  ${n - 1} ok, 1 ignored`);
      t.is(rows[at('Check the disk') + 1], '  failed (ignored): h4');
      // ten titles and five listed lines, whatever the number of hosts
      t.is(rows.length, TASKS + 5, text);
    }
    scrolled.set(n, seen.scrollback.length);
    t.truthy(seen.live, `the live header never showed task 7 waiting for h1 alone:\n${text}`);
    const header = seen.live?.find((r) => r.includes('PLAY [terminal view] · task 7/'));
    t.regex(header ?? '', new RegExp(`PLAY \\[terminal view\\] · task 7/${TASKS} · ${n - 1}/${n} hosts done · \\d+:\\d\\d$`));
    t.true(seen.live?.some((r) => r.includes('TASK [Wait for the slow host]')));
    // after the run the live area is gone: the header is not part of the scrollback
    t.false(
      seen.scrollback.some((r) => r.includes('hosts done')),
      text,
    );
    t.is(normalise(seen.scrollback), sameAsStored(`hosts-${n}`, normalise(seen.scrollback)));
    t.is(normalise(seen.live ?? []), sameAsStored(`live-${n}`, normalise(seen.live ?? [])));
  });
}

test.serial('the lines scrolled grow with the tasks and what changed, not with the hosts', (t) => {
  // 10 tasks on 10 and on 50 hosts scroll the same; the old view scrolled ~11 lines per task at 10 hosts
  t.is(scrolled.get(10), scrolled.get(50));
  t.true((scrolled.get(10) ?? Infinity) <= TASKS + 5 + 12, `10 hosts scrolled ${scrolled.get(10)} lines`);
});

test.serial('with -D the diffs stay under the hosts that changed', async (t) => {
  const seen = await runInTmux(10, ['-D']);
  const text = seen.scrollback.join('\n');
  t.is(seen.code, 0, text);
  const rows = taskRows(seen.scrollback);
  const at = rows.findIndex((r) => r.startsWith('✔ TASK [Write motd]'));
  t.deepEqual(rows.slice(at + 1, at + 6), ['  changed: h2', '    --- before', `    +++ after: ${hs.byName.get('h2')?.root}/motd`, '    @@ -0,0 +1 @@', '    +welcome to h2'], text);
  t.is(normalise(seen.scrollback), sameAsStored('hosts-10-diff', normalise(seen.scrollback)));
});

test.serial('Ctrl-C in the live view: the running task finishes, no other starts, the recap follows (exit 99)', async (t) => {
  const seen = await runInTmux(10, [], { interrupt: true });
  const text = seen.scrollback.join('\n');
  t.truthy(seen.live, text);
  t.is(seen.code, 99, text);
  const rows = taskRows(seen.scrollback);
  t.true(rows.includes(`✔ TASK [Wait for the slow host]  10 ok`), text);
  t.false(
    rows.some((r) => r.includes('TASK [Only on h1]')),
    text,
  );
  t.true(
    rows.some((r) => r.startsWith('tsplay: SIGINT: interrupted')),
    text,
  );
  t.true(rows.includes('[ERROR]: User interrupted execution'), text);
  // the grouped recap: h1 never got to its own task, so it ended like h5..h10
  t.true(
    seen.scrollback.some((r) => r.startsWith('h1, h[5:10] ')),
    text,
  );
});
