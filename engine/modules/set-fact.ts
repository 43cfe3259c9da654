import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { abool, ISSUE_CODE_PARAM } from './support/args.ts';
import { applyNothing, readNothing } from './support/controller-only.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Why not moduleArgs: set_fact takes any variable names as its arguments.
const schema = z
  .record(z.string(), z.unknown())
  .superRefine((v, ctx) => {
    for (const k of Object.keys(v)) {
      if (!NAME.test(k)) {
        ctx.addIssue({ code: 'custom', message: `"${k}" is not a valid variable name`, path: [k], params: { [ISSUE_CODE_PARAM]: 'E_ARG_TYPE' } });
      }
    }
    if (Object.keys(v).filter((k) => k !== 'cacheable').length === 0) {
      ctx.addIssue({ code: 'custom', message: 'set_fact needs at least one variable', path: [], params: { [ISSUE_CODE_PARAM]: 'E_ARG_REQUIRED' } });
    }
    if ('cacheable' in v && !abool.safeParse(v.cacheable).success) {
      ctx.addIssue({ code: 'custom', message: 'cacheable must be a boolean', path: ['cacheable'], params: { [ISSUE_CODE_PARAM]: 'E_ARG_TYPE' } });
    }
  })
  .transform((v) => {
    const { cacheable, ...facts } = v;
    return { facts, cacheable: cacheable === undefined ? false : abool.parse(cacheable) };
  });
type Args = z.output<typeof schema>;

/**
 * setFactModule sets host variables: the plan returns them as `result.ansible_facts`, which the
 * executor stores at set_fact precedence (and in the fact cache when `cacheable`).
 */
export const setFactModule: ModuleDef<Args, null> = {
  name: 'set_fact',
  route: 'set_fact',
  doc: 'Set host variables (facts) for the rest of the run; cacheable also stores them as facts.',
  example: '- name: Remember the bridge\n  set_fact:\n    lab_bridge: labbr0\n',
  schema,
  local: true,
  read: readNothing,
  plan(args) {
    return {
      changes: [],
      reason: 'set_fact changes no host',
      result: { ansible_facts: args.facts, _ansible_facts_cacheable: args.cacheable },
    };
  },
  apply: applyNothing,
};
