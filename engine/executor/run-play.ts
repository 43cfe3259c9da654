import { isAbsolute, resolve } from 'node:path';
import { TsplayError } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import type { Play, Playbook, Task } from '../loader/types.ts';
import { loadYamlValue } from '../files/yaml-file.ts';
import { countListedTasks } from '../loader/listing.ts';
import { renderValue } from '../template/index.ts';
import { HandlerBook } from './handlers.ts';
import type { HostState, PlayCtx, RunCtx, Scope } from './run-context.ts';
import { serialBatches } from './serial-batches.ts';
import { emptyStats } from './stats.ts';
import { flushHandlers, runTask, walkNodes } from './walk.ts';
import { dirname } from 'node:path';

/** PlayEnd tells the playbook loop whether to go on with the next play. */
export type PlayEnd = 'continue' | 'break';

function hostState(run: RunCtx, name: string): HostState {
  let h = run.hosts.get(name);
  if (!h) {
    h = { name, stats: emptyStats(), failed: false, unreachable: false, ended: false, facts: {}, dynVars: {}, includeVars: {} };
    run.hosts.set(name, h);
  }
  return h;
}

/** selectHosts is the play's pattern ∩ --limit, in inventory order, minus hosts that failed earlier in the run. */
function selectHosts(run: RunCtx, play: Play): string[] {
  let hosts = run.inventory.match(play.hosts);
  if (run.opts.limit) {
    const lim = new Set(run.inventory.match(run.opts.limit));
    hosts = hosts.filter((h) => lim.has(h));
  }
  return hosts.filter((h) => {
    const st = run.hosts.get(h);
    return !st || (!st.failed && !st.unreachable);
  });
}

/** loadVarsFiles adds the vars_files whose names are templated (the loader read the static ones). */
function loadVarsFiles(run: RunCtx, play: Play, dir: string): Vars {
  const out: Vars = { ...(play.varsFilesVars ?? {}) };
  const vars = { ...out, ...play.vars, ...run.extraVars };
  for (const f of play.varsFiles) {
    if (!f.includes('{{')) continue;
    const name = String(renderValue(f, vars, { pos: play.pos }));
    const path = isAbsolute(name) ? name : resolve(dir, name);
    // the loader's reader: regular files only, the size cap, strict UTF-8, YAML bombs refused
    const data = loadYamlValue(path, play.pos);
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) throw new TsplayError({ code: 'E_VARS_FILE', message: `vars_files: ${path} is not a mapping`, pos: play.pos });
    Object.assign(out, data);
  }
  return out;
}

const GATHER_TASK = new WeakMap<Play, Task>();

/** gatherTask is the implicit `Gathering Facts` task of a play (tagged always, as in Ansible). */
function gatherTask(play: Play): Task {
  let t = GATHER_TASK.get(play);
  if (!t) {
    t = { kind: 'task', pos: play.pos, name: 'Gathering Facts', when: [], tags: ['always'], vars: {}, module: 'gather_facts', args: {}, argPos: {}, notify: [], listen: [] };
    GATHER_TASK.set(play, t);
  }
  return t;
}

/**
 * runPlay runs one play: host selection, serial batches, fact gathering, then pre_tasks,
 * roles+tasks and post_tasks, each followed by a handler flush, per batch.
 */
export async function runPlay(run: RunCtx, playbook: Playbook, play: Play): Promise<PlayEnd> {
  const selected = selectHosts(run, play);
  if (selected.length === 0) {
    run.emit({ type: 'play-start', name: play.name || play.hosts, hosts: selected });
    run.emit({ type: 'no-hosts-matched' });
    return 'continue';
  }
  // an imported play's directory, as Ansible's loader basedir: its group_vars/, vars/ and playbook_dir
  const dir = dirname(resolve(play.pos.file || playbook.file));
  run.playbookDir = dir;
  const baseScope: Scope = {
    when: [],
    tags: [],
    vars: {},
    includeParams: {},
    environment: { ...(play.environment ?? {}) },
    become: play.become,
    becomeUser: play.becomeUser,
    rescuable: false,
    handler: false,
  };
  const pc: PlayCtx = {
    run,
    play,
    playbookDir: dir,
    varsFilesVars: loadVarsFiles(run, play, dir),
    allHosts: selected,
    batch: [],
    handlers: new HandlerBook(play.handlers),
    announced: new Set(),
    stop: false,
    breakRun: false,
    free: play.strategy === 'free',
    baseScope,
  };
  const planned = (play.gatherFacts ? 1 : 0) + countListedTasks(play, run.opts.tags, run.opts.skipTags);
  for (const batch of serialBatches(selected, play.serial)) {
    if (run.signal?.aborted) return 'break';
    pc.batch = batch;
    // Ansible prints the PLAY banner again for every serial batch
    run.emit({ type: 'play-start', name: play.name || play.hosts, hosts: batch, tasks: planned });
    const states = batch.map((n) => hostState(run, n));
    for (const h of states) h.ended = false;
    if (play.gatherFacts) await runTask(pc, gatherTask(play), states, baseScope);
    const lane = async (hosts: HostState[]): Promise<void> => {
      for (const section of [play.preTasks, play.tasks, play.postTasks]) {
        if (pc.stop || run.signal?.aborted) break;
        await walkNodes(pc, section, hosts, baseScope);
        if (run.signal?.aborted) break;
        await flushHandlers(pc, hosts);
      }
    };
    if (pc.free) await Promise.all(states.map((h) => lane([h])));
    else await lane(states);
    if (pc.breakRun) return 'break';
    // Ansible ends the whole run when every host of a batch failed or became unreachable
    if (states.every((h) => h.failed || h.unreachable)) return 'break';
    for (const h of states) h.ended = false;
    // meta end_play ends the play for every batch; the run goes on with the next play
    if (pc.stop) return 'continue';
  }
  return 'continue';
}
