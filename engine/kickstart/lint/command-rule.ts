/** CommandRule says where a command is accepted (`v`), deprecated (`dep`) or removed (`rm`), and its options. */
export interface CommandRule {
  readonly v: string;
  readonly dep?: string;
  readonly rm?: string;
  /** option names grouped by version spec; `*` = wherever the command is accepted */
  readonly o?: Readonly<Record<string, readonly string[]>>;
  /** the rest of the line is handed on verbatim (EL 7's auth/authconfig take authconfig's own options) */
  readonly raw?: boolean;
}

/** CommandShape is what a command's parser requires in the versions of `v`: positional words, options, value sets. */
export interface CommandShape {
  readonly v: string;
  /** fewest and most positional words */
  readonly pos: readonly [number, number];
  readonly req?: readonly string[];
  readonly choices?: Readonly<Record<string, readonly string[]>>;
}

/** shapeFor picks the shape a version gives a command, if the table has one. */
export function shapeFor(shapes: readonly CommandShape[] | undefined, key: string): CommandShape | undefined {
  return shapes?.find((s) => inSpec(s.v, key));
}

/** resolveOption maps a written option to the full name argparse would pick (any unambiguous prefix), or lists the candidates. */
export function resolveOption(all: readonly string[], name: string): string | string[] {
  if (all.includes(name)) return name;
  const c = all.filter((o) => o.startsWith(name));
  return c.length === 1 ? c[0]! : c;
}

/** OptionStatus is what one version makes of one option. */
export type OptionStatus = 'ok' | 'deprecated' | 'unknown';

/** inSpec tells whether a version key (`r9`, `f40`) lies in a spec such as `r7-9 f20-45`. */
export function inSpec(spec: string, key: string): boolean {
  const fam = key[0];
  const n = Number(key.slice(1));
  for (const part of spec.split(/\s+/)) {
    const m = /^([rf])(\d+)(?:-(\d+))?$/.exec(part);
    if (!m || m[1] !== fam) continue;
    const lo = Number(m[2]);
    const hi = m[3] !== undefined ? Number(m[3]) : lo;
    if (n >= lo && n <= hi) return true;
  }
  return false;
}

/** commandStatus classifies a command for a version: accepted, deprecated, removed or never known. */
export function commandStatus(rule: CommandRule | undefined, key: string): 'ok' | 'deprecated' | 'removed' | 'unknown' {
  if (!rule) return 'unknown';
  if (inSpec(rule.v, key)) return 'ok';
  if (rule.dep && inSpec(rule.dep, key)) return 'deprecated';
  if (rule.rm && inSpec(rule.rm, key)) return 'removed';
  return 'unknown';
}

/** optionStatus classifies one `--option` of a command for a version. */
export function optionStatus(rule: CommandRule, option: string, key: string): OptionStatus {
  for (const [spec, names] of Object.entries(rule.o ?? {})) {
    if (!names.includes(option)) continue;
    const [have = '', dep = ''] = spec.split(';').map((s) => s.trim());
    if (have === '*' || inSpec(have, key)) return 'ok';
    if (dep.startsWith('dep ') && inSpec(dep.slice(4), key)) return 'deprecated';
  }
  return 'unknown';
}

/** optionNames lists every option a command has in any version (to resolve argparse prefixes). */
export function optionNames(rule: CommandRule): string[] {
  return Object.values(rule.o ?? {}).flat();
}
