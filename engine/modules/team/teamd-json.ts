// teamd JSON in a normal form, so that the profile, the running teamd and the guest description
// compare by meaning: teamd's documented defaults (teamd.conf(5), libteam 1.31) are filled in,
// a single link watcher becomes a list, set-like lists are sorted, and `device` is left out (the
// profile's interface name carries it). Two configs that teamd runs identically normalise equal.

/** TeamdJson is a normalised teamd config: team-wide keys and every port's keys, defaults filled. */
export interface TeamdJson {
  readonly team: Record<string, unknown>;
  readonly ports: Record<string, Record<string, unknown>>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const LINK_WATCH_DEFAULTS: Record<string, Record<string, unknown>> = {
  ethtool: { delay_up: 0, delay_down: 0 },
  arp_ping: { interval: 1000, init_wait: 0, missed_max: 3, source_host: '0.0.0.0', validate_active: false, validate_inactive: false, send_always: false },
  nsna_ping: { interval: 1000, init_wait: 0, missed_max: 3 },
};

const TX = { tx_hash: ['eth', 'ipv4', 'ipv6'], tx_balancer: { balancing_interval: 50 } };
const RUNNER_DEFAULTS: Record<string, Record<string, unknown>> = {
  activebackup: { hwaddr_policy: 'same_all' },
  loadbalance: TX,
  lacp: { active: true, fast_rate: false, sys_prio: 65535, min_ports: 1, agg_select_policy: 'lacp_prio', ...TX },
};

const PORT_DEFAULTS = { prio: 0, sticky: false, lacp_prio: 255, lacp_key: 0 };

// Objects merge key by key (nested objects too); anything set wins over the default.
function withDefaults(defaults: Record<string, unknown>, set: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(set)) out[k] = isObj(v) && isObj(defaults[k]) ? withDefaults(defaults[k], v) : v;
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObj(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

function linkWatches(v: unknown): unknown[] {
  const list = v === undefined ? [{ name: 'ethtool' }] : Array.isArray(v) ? v : [v];
  return list.map((w) => (isObj(w) ? sortKeys(withDefaults(LINK_WATCH_DEFAULTS[String(w['name'])] ?? {}, w)) : w)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function normRunner(v: unknown): Record<string, unknown> {
  const set = isObj(v) ? v : {};
  const name = typeof set['name'] === 'string' ? set['name'] : 'roundrobin';
  const r = withDefaults({ name, ...(RUNNER_DEFAULTS[name] ?? {}) }, set);
  // tx_hash is a set of fragment types: its order means nothing to teamd
  if (Array.isArray(r['tx_hash'])) r['tx_hash'] = [...r['tx_hash']].map(String).sort();
  return r;
}

/** normalisePort fills a port's defaults (prio 0, not sticky, LACP prio 255 and key 0) and its link watchers when it has its own. */
export function normalisePort(v: unknown): Record<string, unknown> {
  const p = withDefaults(PORT_DEFAULTS, isObj(v) ? v : {});
  if (p['link_watch'] !== undefined) p['link_watch'] = linkWatches(p['link_watch']);
  return sortKeys(p) as Record<string, unknown>;
}

/**
 * normaliseTeamd turns any teamd JSON (a profile's team.config, `teamdctl config dump actual`, or
 * what tsplay builds) into the normal form; `ports` given separately (the port profiles'
 * team-port.config) win over the ones inside the JSON, as NetworkManager applies them last.
 */
export function normaliseTeamd(json: unknown, ports?: Readonly<Record<string, unknown>>): TeamdJson {
  const o = isObj(json) ? json : {};
  const runner = normRunner(o['runner']);
  // activebackup sends one burst of each after a port change unless told otherwise
  const burst = runner['name'] === 'activebackup' ? 1 : 0;
  const team: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'device' && k !== 'ports') team[k] = v;
  team['runner'] = runner;
  team['link_watch'] = linkWatches(o['link_watch']);
  team['notify_peers'] = withDefaults({ count: burst, interval: 0 }, isObj(o['notify_peers']) ? o['notify_peers'] : {});
  team['mcast_rejoin'] = withDefaults({ count: burst, interval: 0 }, isObj(o['mcast_rejoin']) ? o['mcast_rejoin'] : {});
  team['debug_level'] ??= 0;
  const inner = isObj(o['ports']) ? o['ports'] : {};
  const names = new Set([...Object.keys(inner), ...Object.keys(ports ?? {})]);
  const outPorts: Record<string, Record<string, unknown>> = {};
  for (const n of [...names].sort()) outPorts[n] = normalisePort(ports?.[n] ?? inner[n]);
  return { team: sortKeys(team) as Record<string, unknown>, ports: outPorts };
}

/** LeafDiff is one differing value at a dotted path (`runner.name`, `ports.eth1.prio`). */
export interface LeafDiff {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

// Lists compare whole (a link watcher list is one value); objects descend key by key.
function walk(prefix: string, a: unknown, b: unknown, out: LeafDiff[]): void {
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(prefix ? `${prefix}.${k}` : k, a[k], b[k], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path: prefix, before: a ?? null, after: b ?? null });
  }
}

/** diffTeamd lists every leaf where `have` differs from `want`; a port absent on one side is one diff. */
export function diffTeamd(have: TeamdJson, want: TeamdJson): LeafDiff[] {
  const out: LeafDiff[] = [];
  walk('', have.team, want.team, out);
  for (const n of [...new Set([...Object.keys(have.ports), ...Object.keys(want.ports)])].sort()) {
    const a = have.ports[n];
    const b = want.ports[n];
    if (a === undefined || b === undefined) out.push({ path: `ports.${n}`, before: a ?? null, after: b ?? null });
    else walk(`ports.${n}`, a, b, out);
  }
  return out;
}

function at(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);
}

/**
 * quietDiffs drops the diffs a user did not ask for: a value the desired JSON leaves unset whose
 * current value is only the default of the current runner (switching activebackup to roundrobin
 * changes notify_peers' default count from 1 to 0; switching to activebackup brings its hwaddr_policy:
 * that follows from the runner, it is not news).
 */
export function quietDiffs(diffs: readonly LeafDiff[], have: TeamdJson, wantRaw: unknown): LeafDiff[] {
  const defaults = normaliseTeamd({ runner: { name: at(have.team, 'runner.name') } });
  return diffs.filter((d) => {
    if (at(wantRaw, d.path) !== undefined) return true;
    // absent now, wanted only as the desired runner's default (hwaddr_policy when switching to activebackup)
    if (d.before === null) return false;
    const port = /^ports\.([^.]+)\.(.+)$/.exec(d.path);
    const def = port ? at(normalisePort({}), port[2]!) : at(defaults.team, d.path);
    return def === undefined || JSON.stringify(def) !== JSON.stringify(d.before);
  });
}
