// Reduces ansible-playbook style output to what semantics decide: per task section, the
// sorted status records (host, status, item, debug's top-level keys) and diff headers, without
// result JSON, timings or paths, so tsplay's and Ansible's runs of one playbook can be compared.

const STATUS = /^(ok|changed|skipping|fatal|failed|FAILED - RETRYING|included|\.\.\.ignoring)\b/;
const BANNER = /^(PLAY|TASK|RUNNING HANDLER|PLAY RECAP|NO MORE HOSTS LEFT)\b.*\*{3,}$/;

/** normalizeRun turns a run's text into sections of sorted records; `flat` merges every section (free strategy). */
export function normalizeRun(text: string, flat = false): string[] {
  const out: string[] = [];
  let section: string[] = [];
  let banner = '';
  let last: number | undefined;
  const flush = (): void => {
    if (banner || section.length) out.push(flat ? '' : banner, ...section.sort());
    section = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (BANNER.test(line)) {
      if (!flat) flush();
      banner = flat ? '' : line.replace(/\s*\*+$/, '');
      last = undefined;
      continue;
    }
    if (/^PLAY RECAP/.test(banner)) continue;
    // that --diff showed a diff (its header, without a path); its body holds times and paths
    if (/^(--- before|\+\+\+ after)\b/.test(line)) {
      section.push(line.replace(/:.*$/, ''));
      last = undefined;
      continue;
    }
    if (STATUS.test(line)) {
      let rec = line.replace(/ => \{.*$/, '').replace(/^(fatal: \[[^\]]+\]: \w+!).*$/, '$1');
      rec = rec.replace(/^included: (?:.*\/)?([^/]+) for ([^=]+?)( => |$)/, (_m, f: string, hosts: string, tail: string) => `included: ${f} for ${hosts.split(', ').sort().join(', ')}${tail}`);
      if (rec === '...ignoring' && last !== undefined) {
        section[last] += ' ...ignoring';
        continue;
      }
      section.push(rec);
      last = section.length - 1;
      continue;
    }
    const kv = /^ {4}("[^"]+": .*?),?$/.exec(line);
    // Ansible's non-native templating turns "{{ n }}" into the string "3"; tsplay keeps the number
    if (kv && last !== undefined) section[last] += ` ${kv[1]!.replace(/: "(-?\d+(?:\.\d+)?)"$/, ': $1')}`;
  }
  flush();
  return flat ? out.filter((l) => l !== '').sort() : out.filter((l, i) => l !== '' || i > 0);
}

/** recapLines are the PLAY RECAP lines (exact, trailing spaces included). */
export function recapLines(text: string): string[] {
  const i = text.indexOf('PLAY RECAP');
  if (i < 0) return [];
  return text
    .slice(i)
    .split('\n')
    .slice(1)
    .filter((l) => l.includes(' : ok='));
}
