import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNode, LineCounter, parseDocument, visit } from 'yaml';

/** Place is a file (relative to its case) with a 1-based line and column. */
export interface Place {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** ansiblePlace reads the first `The error appears to be in 'F': line N, column M` of a case's ansible-says.txt. */
export function ansiblePlace(dir: string): Place | undefined {
  const file = join(dir, 'ansible-says.txt');
  const m = existsSync(file) ? /The error appears to be in '([^']+)': line (\d+), column (\d+)/.exec(readFileSync(file, 'utf8')) : null;
  return m ? { file: m[1]!, line: Number(m[2]), col: Number(m[3]) } : undefined;
}

/**
 * within says whether `p` is the place Ansible named or lies inside the YAML node starting there.
 * Why: Ansible names the task or play it was reading (`- name:` of the task), tsplay the key at fault in it.
 */
export function within(dir: string, ansible: Place, p: Place): boolean {
  if (p.file !== ansible.file) return false;
  if (p.line === ansible.line) return true;
  const lc = new LineCounter();
  const doc = parseDocument(readFileSync(join(dir, p.file), 'utf8'), { lineCounter: lc, uniqueKeys: false });
  const offset = (x: Place): number => (x.line === 1 ? 0 : lc.lineStarts[x.line - 1]!) + x.col - 1;
  const start = offset(ansible);
  let end = -1;
  visit(doc, (_key, node) => {
    if (isNode(node) && node.range?.[0] === start) end = Math.max(end, node.range[2]);
  });
  const at = offset(p);
  return at >= start && at < end;
}
