// Loading for the data-driven runners. Why one helper: a runner whose case folder became empty
// used to register no test and pass silently; here an empty folder, a case without its expected
// value or a file that does not parse throws while the test file loads, which fails the run,
// and every runner prints how many cases it found.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** CaseEntryOptions says which entries of a case folder are cases and what each must hold. */
export interface CaseEntryOptions {
  /** suffix: a case is a file whose name ends so (without it, a case is a subfolder). */
  readonly suffix?: string;
  /** needs: files every case subfolder must hold (its input and its expected value); for file cases, the sibling file named by the case's stem plus each of these. */
  readonly needs?: readonly string[];
  /** min: the fewest cases the folder may hold (default 1). */
  readonly min?: number;
}

/** reportCases prints how many cases a runner found, on stderr so the TAP stream stays clean. */
export function reportCases(source: string, count: number): void {
  process.stderr.write(`# cases: ${relative(repo, source) || source}: ${count}\n`);
}

/** caseEntries lists the cases of a folder, sorted, and throws when there are fewer than `min` or a case lacks a needed file. */
export function caseEntries(dir: string, opts: CaseEntryOptions = {}): string[] {
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  const { suffix } = opts;
  const cases = suffix === undefined ? names.filter((n) => statSync(join(dir, n)).isDirectory()) : names.filter((n) => n.endsWith(suffix));
  const min = opts.min ?? 1;
  if (cases.length < min) throw new Error(`${dir}: ${cases.length} case(s)${suffix ? ` named *${suffix}` : ''}, at least ${min} expected`);
  for (const name of cases) {
    for (const need of opts.needs ?? []) {
      const path = suffix === undefined ? join(dir, name, need) : join(dir, name.slice(0, -suffix.length) + need);
      if (!existsSync(path)) throw new Error(`${join(dir, name)}: the case has no ${path}`);
    }
  }
  reportCases(dir, cases.length);
  return cases;
}

/** readCaseFile parses a JSON or YAML case file and throws, naming the file, when it cannot be read or parsed. */
export function readCaseFile<T>(file: string | URL, yamlOptions: { merge?: boolean } = {}): T {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  try {
    const text = readFileSync(path, 'utf8');
    return (/\.json$/.test(path) ? JSON.parse(text) : parse(text, yamlOptions)) as T;
  } catch (e) {
    throw new Error(`${path}: does not parse: ${(e as Error).message}`);
  }
}

/** caseList checks that `cases` is a non-empty array whose every case holds each key of `needs`, prints the count and returns it. */
export function caseList<T>(cases: unknown, source: string | URL, needs: readonly string[] = []): T[] {
  const where = source instanceof URL ? fileURLToPath(source) : source;
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`${where}: no case`);
  cases.forEach((c: unknown, i) => requireKeys(c, `${where}: case ${i + 1}`, needs));
  reportCases(where, cases.length);
  return cases as T[];
}

/** requireKeys throws when a parsed case is not an object holding every key of `needs` (`a|b`: one of them). */
export function requireKeys(c: unknown, where: string, needs: readonly string[]): void {
  for (const need of needs) {
    const has = (key: string): boolean => c !== null && typeof c === 'object' && (c as Record<string, unknown>)[key] !== undefined;
    if (!need.split('|').some(has)) throw new Error(`${where}: the case has no ${need.replaceAll('|', ' or ')}`);
  }
}
