// nmcli -t probes (NetworkManager 1.42). Quirk: in terse TABULAR output (one record per line,
// several fields) nmcli escapes ':' as '\:' and '\' as '\\' inside values; in terse MULTILINE
// output (`con show NAME`, one "field:value" per line) it does not escape at all, so there the
// value is everything after the first ':' (team.config JSON is full of colons).
import { mustSucceed, ProbeError, type Probe, type ProbeOutput } from './types.ts';

/** splitTerse splits one terse tabular line on unescaped ':' and unescapes each field. */
export function splitTerse(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      i++;
    } else if (c === ':') {
      fields.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  fields.push(cur);
  return fields;
}

/** ConnectionRow is one line of `nmcli -t -f NAME,UUID,TYPE,DEVICE connection show`. */
export interface ConnectionRow {
  readonly name: string;
  readonly uuid: string;
  readonly type: string;
  /** null when the profile is not active */
  readonly device: string | null;
}

// Both list commands print one terse row per line; an empty last field means "none".
function terseRows(what: string, out: ProbeOutput): string[][] {
  return mustSucceed(what, out)
    .split('\n')
    .filter((l) => l !== '')
    .map(splitTerse);
}

/** parseConnectionList parses the connection list. */
export function parseConnectionList(out: ProbeOutput): ConnectionRow[] {
  return terseRows('nmcli connection show', out).map(([name = '', uuid = '', type = '', device = '']) => ({
    name,
    uuid,
    type,
    device: device === '' ? null : device,
  }));
}

/** connectionListProbe lists every profile. */
export function connectionListProbe(): Probe<ConnectionRow[]> {
  return { argv: ['nmcli', '-t', '-f', 'NAME,UUID,TYPE,DEVICE', 'connection', 'show'], parse: parseConnectionList };
}

/** DeviceRow is one line of `nmcli -t -f DEVICE,TYPE,STATE,CONNECTION device status`. */
export interface DeviceRow {
  readonly device: string;
  readonly type: string;
  /** e.g. "connected", "disconnected", "unavailable", "connected (externally)" */
  readonly state: string;
  readonly connection: string | null;
}

/** parseDeviceStatus parses the device list. */
export function parseDeviceStatus(out: ProbeOutput): DeviceRow[] {
  return terseRows('nmcli device status', out).map(([device = '', type = '', state = '', connection = '']) => ({
    device,
    type,
    state,
    connection: connection === '' ? null : connection,
  }));
}

/** deviceStatusProbe lists every device. */
export function deviceStatusProbe(): Probe<DeviceRow[]> {
  return { argv: ['nmcli', '-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status'], parse: parseDeviceStatus };
}

/** NmConnection is one profile's settings that tsplay compares. */
export interface NmConnection {
  /** false when no profile has that name (nmcli: "no such connection profile") */
  readonly exists: boolean;
  readonly id: string;
  readonly uuid: string;
  readonly type: string;
  readonly interfaceName: string | null;
  readonly autoconnect: boolean;
  readonly master: string | null;
  readonly slaveType: string | null;
  readonly macAddress: string | null;
  readonly ipv4Method: string | null;
  readonly ipv4Addresses: string[];
  readonly ipv6Method: string | null;
  /** team.config parsed from JSON; null when empty */
  readonly teamConfig: unknown;
  /** team-port.config parsed from JSON; null when empty */
  readonly teamPortConfig: unknown;
  /** every field as nmcli printed it */
  readonly fields: Readonly<Record<string, string>>;
}

const FIELD_LINE = /^([A-Za-z0-9-]+\.[A-Za-z0-9_-]+(?:\[\d+\])?):(.*)$/;

function jsonOrNull(tool: string, v: string | undefined): unknown {
  if (v === undefined || v === '' || v === '--') return null;
  try {
    return JSON.parse(v);
  } catch {
    throw new ProbeError(tool, `team config is not JSON: ${v}`);
  }
}

/** parseConnection parses `nmcli -t -f SETTINGS connection show NAME` (terse multiline). */
export function parseConnection(out: ProbeOutput): NmConnection {
  if (out.rc === 10 || /no such connection profile/i.test(out.stderr)) {
    return {
      exists: false,
      id: '',
      uuid: '',
      type: '',
      interfaceName: null,
      autoconnect: false,
      master: null,
      slaveType: null,
      macAddress: null,
      ipv4Method: null,
      ipv4Addresses: [],
      ipv6Method: null,
      teamConfig: null,
      teamPortConfig: null,
      fields: {},
    };
  }
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of mustSucceed('nmcli connection show', out).split('\n')) {
    const m = FIELD_LINE.exec(line);
    if (m && m[1] !== undefined) {
      last = m[1];
      fields[last] = m[2] ?? '';
    } else if (last !== undefined && line !== '') {
      // a value set from a file keeps its newlines: continuation of the previous field
      fields[last] += `\n${line}`;
    }
  }
  const f = (k: string): string | null => (fields[k] === undefined || fields[k] === '' ? null : fields[k]);
  return {
    exists: true,
    id: fields['connection.id'] ?? '',
    uuid: fields['connection.uuid'] ?? '',
    type: fields['connection.type'] ?? '',
    interfaceName: f('connection.interface-name'),
    autoconnect: fields['connection.autoconnect'] === 'yes',
    master: f('connection.master'),
    slaveType: f('connection.slave-type'),
    macAddress: f('802-3-ethernet.mac-address'),
    ipv4Method: f('ipv4.method'),
    ipv4Addresses: (f('ipv4.addresses') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ipv6Method: f('ipv6.method'),
    teamConfig: jsonOrNull('nmcli team.config', fields['team.config']),
    teamPortConfig: jsonOrNull('nmcli team-port.config', fields['team-port.config']),
    fields,
  };
}

/**
 * parseProfiles splits `nmcli -t -f connection,… connection show uuid A uuid B …` into each
 * profile's text as `connection show` prints it for that profile alone, by UUID. Why one call:
 * every nmcli start fetches all of NetworkManager's objects over D-Bus; on a TCG guest that is
 * ~1.9 s per profile shown one by one, ~1.1 s for five in one call. nmcli ends each profile with
 * an empty line and stops at the first UUID it cannot find (rc 10, the ones before it printed): a
 * profile missing here was deleted meanwhile or not reached, the caller reads it alone.
 * `connection` must be the first setting named, so that each profile starts with connection.id.
 */
export function parseProfiles(out: ProbeOutput): Record<string, string> {
  const printed = out.rc === 10 ? out.stdout : mustSucceed('nmcli connection show', out);
  const profiles: Record<string, string> = {};
  let block: string[] = [];
  const close = (): void => {
    while (block.length > 0 && block[block.length - 1] === '') block.pop();
    if (block.length === 0) return;
    const text = `${block.join('\n')}\n`;
    const uuid = /^connection\.uuid:(.*)$/m.exec(text)?.[1];
    if (!uuid) throw new ProbeError('nmcli connection show', `a profile without connection.uuid: ${block[0]}`);
    profiles[uuid] = text;
    block = [];
  };
  for (const line of printed.split('\n')) {
    if (line.startsWith('connection.id:')) close();
    block.push(line);
  }
  close();
  return profiles;
}

/** profilesProbe reads several profiles by UUID in one nmcli call (settings: starting with `connection`). */
export function profilesProbe(settings: string, uuids: readonly string[]): Probe<Record<string, string>> {
  return { argv: ['nmcli', '-t', '-f', settings, 'connection', 'show', ...uuids.flatMap((u) => ['uuid', u])], parse: parseProfiles };
}

/** CONNECTION_SETTINGS are the settings read for one profile (absent ones are simply not printed). */
export const CONNECTION_SETTINGS = 'connection,802-3-ethernet,ipv4,ipv6,team,team-port';

/** connectionProbe reads one profile by name or UUID. */
export function connectionProbe(name: string): Probe<NmConnection> {
  return { argv: ['nmcli', '-t', '-f', CONNECTION_SETTINGS, 'connection', 'show', name], parse: parseConnection };
}
