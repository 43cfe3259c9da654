import { pyJson } from '../py/json.ts';

/** TeamSlave is one port as the installer sees it: its name and its raw JSON text ('' when none). */
export interface TeamSlave {
  readonly name: string;
  readonly config: string;
}

/**
 * spellTeamSlaves writes the raw `--teamslaves` value: `name'{json}'` per port, comma separated.
 * It refuses what pykickstart's splitting cannot carry back: a `'` in the JSON (the split character)
 * or a `,`/`'` in a port name.
 */
export function spellTeamSlaves(ports: readonly { name: string; config: Record<string, unknown> }[]): string {
  return ports
    .map((p) => {
      if (/[,'\s]/.test(p.name)) throw new Error(`team port name "${p.name}" cannot be written in --teamslaves`);
      const json = Object.keys(p.config).length > 0 ? pyJson(p.config) : '';
      if (json.includes("'")) throw new Error(`team port ${p.name}: its JSON contains ', which --teamslaves cannot carry`);
      return json ? `${p.name}'${json}'` : p.name;
    })
    .join(',');
}

/**
 * ksQuote wraps a value for a kickstart command line so that shlex (POSIX) gives it back unchanged:
 * bare when it has no special character, else in double quotes with `\` and `"` escaped.
 * Why not pykickstart's own writer: it escapes `"` but not `\`, so a JSON string holding `\"` breaks.
 */
export function ksQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_.,:/=@%+-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * parseTeamSlaves splits a `--teamslaves` value after shlex the way pykickstart (F20_Network) does:
 * split on `'`; odd pieces are JSON configs; each even piece is a comma list of names whose LAST name
 * owns the following config. A wrong escape therefore yields odd names or JSON — which the lint checks.
 */
export function parseTeamSlaves(value: string): TeamSlave[] {
  const out: TeamSlave[] = [];
  if (!value) return out;
  const parts = value.split("'");
  if (parts.length % 2 === 1) {
    if (parts[parts.length - 1] === '') parts.pop();
    else parts.push('');
  }
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const devs = trimCommas(parts[i]!).split(',');
    for (const d of devs.slice(0, -1)) out.push({ name: d, config: '' });
    out.push({ name: devs[devs.length - 1]!, config: parts[i + 1]! });
  }
  return out;
}

// Python's str.strip(',') — both ends, any number of commas
function trimCommas(s: string): string {
  return s.replace(/^,+/, '').replace(/,+$/, '');
}
