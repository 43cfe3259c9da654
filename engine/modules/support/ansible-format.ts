// Ansible's spellings of command results, so `register:` sees what an Ansible user's playbook expects.
/** outputLines splits command output into lines as Ansible's `stdout_lines` does. */
export function outputLines(text: string): string[] {
  return text === '' ? [] : text.split(/\r?\n/);
}

/** ansibleTimestamp formats a date like Python's str(datetime): `2026-11-25 15:49:58.123456`. */
export function ansibleTimestamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** ansibleDelta formats a duration like Python's str(timedelta): `0:00:01.234000`. */
export function ansibleDelta(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${String(ms % 1000).padStart(3, '0')}000`;
}
