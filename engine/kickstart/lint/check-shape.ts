import { resolveOption, shapeFor } from './command-rule.ts';
import { SHAPE_TABLE, VALUE_OPTIONS } from './command-shape-table.ts';
import type { KsCommand } from './ks-parse.ts';

/** ShapeProblem is one way a command line does not have the shape its parser requires. */
export interface ShapeProblem {
  readonly code: 'KS_MISSING_ARGUMENT' | 'KS_UNEXPECTED_ARGUMENT' | 'KS_MISSING_OPTION' | 'KS_MISSING_VALUE' | 'KS_BAD_VALUE';
  readonly message: string;
}

// Requirements the parsers check in code after argparse (pykickstart's parse() methods), not in the table.
const ONE_OF: Readonly<Record<string, readonly string[]>> = {
  url: ['--url', '--mirrorlist', '--metalink'],
};

/**
 * checkShape splits a command's words as argparse would (options, their values, positional words)
 * and holds them against the shape pykickstart's parser has for this version.
 */
export function checkShape(cmd: KsCommand, all: readonly string[], key: string): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const shape = shapeFor(SHAPE_TABLE[cmd.name], key);
  const takes = VALUE_OPTIONS[cmd.name] ?? {};
  const given = new Set<string>();
  const positional: string[] = [];
  const words = cmd.words;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (!/^--?[A-Za-z]/.test(w)) {
      positional.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    const written = eq < 0 ? w : w.slice(0, eq);
    const name = resolveOption(all, written);
    if (typeof name !== 'string') continue; // reported as KS_UNKNOWN_OPTION
    given.add(name);
    const arity = takes[name];
    let value: string | undefined = eq < 0 ? undefined : w.slice(eq + 1);
    if (value === undefined && arity !== undefined) {
      const next = words[i + 1];
      const nextIsValue = next !== undefined && !(/^--?[A-Za-z]/.test(next) && !/^-\d/.test(next));
      if (nextIsValue) {
        value = next;
        i++;
      } else if (arity === '1') {
        out.push({ code: 'KS_MISSING_VALUE', message: `${cmd.name} ${name} needs a value` });
      }
    }
    const set = shape?.choices?.[name];
    if (set && value !== undefined && !set.includes(value)) {
      out.push({ code: 'KS_BAD_VALUE', message: `${cmd.name} ${name}=${value}: the value must be one of ${set.join(', ')}` });
    }
  }
  if (shape) {
    const [min, max] = shape.pos;
    if (positional.length > max) {
      const hint = cmd.name === 'url' ? ' (write url --url=...)' : '';
      out.push({ code: 'KS_UNEXPECTED_ARGUMENT', message: `${cmd.name} does not take "${positional.slice(max).join(' ')}"${hint}` });
    } else if (positional.length < min && !(cmd.name === 'rootpw' && given.has('--lock'))) {
      out.push({
        code: 'KS_MISSING_ARGUMENT',
        message: `${cmd.name} needs ${min === 1 ? 'an argument' : `${min} arguments`} (${cmd.name === 'part' || cmd.name === 'partition' || cmd.name === 'logvol' || cmd.name === 'raid' ? 'the mount point' : 'see its usage'})`,
      });
    }
    for (const r of shape.req ?? []) if (!given.has(r)) out.push({ code: 'KS_MISSING_OPTION', message: `${cmd.name} needs ${r}` });
  }
  if (cmd.name === 'rootpw' && positional.length === 0 && !given.has('--lock')) {
    out.push({ code: 'KS_MISSING_ARGUMENT', message: 'rootpw needs a password (or --lock)' });
  }
  const oneOf = ONE_OF[cmd.name];
  if (oneOf && !oneOf.some((o) => given.has(o))) out.push({ code: 'KS_MISSING_OPTION', message: `${cmd.name} needs one of ${oneOf.join(', ')}` });
  return out;
}
