import { z } from 'zod';
import type { ErrorCode } from '../../errors/index.ts';

// Why these loose scalars: Ansible accepts `yes`/`no`/`"True"` for booleans and `"22"` for
// integers (values often arrive as strings from templates or k=v text), so tsplay does too.
/** TRUE_WORDS are the words Ansible reads as true (its BOOLEANS_TRUE, lower case). */
export const TRUE_WORDS = new Set(['yes', 'on', 'true', '1', 'y', 't']);
/** FALSE_WORDS are the words Ansible reads as false (its BOOLEANS_FALSE, lower case). */
export const FALSE_WORDS = new Set(['no', 'off', 'false', '0', 'n', 'f']);

/** abool is a boolean argument that also takes Ansible's truthy/falsy words. */
export const abool = z.preprocess((v) => {
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  if (v === 1) return true;
  if (v === 0) return false;
  return v;
}, z.boolean());

/** aint is an integer argument that also takes a decimal string. */
export const aint = z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.number().int());

/** astr is a string argument that also takes numbers and booleans, as Ansible converts them. */
export const astr = z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string());

/**
 * aowner is a user or group (owner/group of every module that sets them): a name as the host's
 * NSS may know it (www-data, john.doe, DOMAIN\user, user@realm, "Domain Users") or a numeric id.
 * Refused: a leading `-` (chown/chgrp would take it as an option, e.g. `--reference=FILE`), `:`
 * (chown's owner:group separator), surrounding spaces and control characters, none of which a
 * real name holds; whether the name exists is for the host to say.
 */
export const aowner = astr.refine(
  (v) => v !== '' && !v.startsWith('-') && !v.includes(':') && v.trim() === v && !/[\x00-\x1f\x7f]/.test(v),
  'expected a user or group name or a numeric id (not starting with "-", without ":" or control characters)',
);

/** avalidate is a `validate` command: it must name the temp file to check with %s, as Ansible demands. */
export const avalidate = z.string().refine((v) => v.includes('%s'), 'validate must contain %s');

/** alist is a list argument that also takes a comma-separated string or a single item. */
export function alist<T extends z.ZodType>(item: T): z.ZodType<z.output<T>[]> {
  return z.preprocess((v) => {
    if (typeof v === 'string')
      return v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    if (v !== undefined && v !== null && !Array.isArray(v)) return [v];
    return v;
  }, z.array(item)) as unknown as z.ZodType<z.output<T>[]>;
}

/**
 * amode is a file mode: an octal string ('0644', '644'), a symbolic string ('u=rw,go=r'),
 * or an int. An int is taken as the mode's value (YAML 1.1 reads 0644 as 420), as Ansible does.
 */
export const amode = z.union([
  z.string().regex(/^(0?[0-7]{3,4}|[ugoa]*([-+=][rwxXstugo]*)+(,[ugoa]*([-+=][rwxXstugo]*)+)*|preserve)$/, 'expected an octal mode like 0644 or a symbolic mode like u=rw,go=r'),
  z.number().int().min(0).max(0o7777),
]);

/**
 * ISSUE_CODE_PARAM is the key under which a schema's custom zod issues carry the tsplay error
 * code (`issue.params.tsplayCode`), so the loader can report E_ARG_REQUIRED / E_ARG_CONFLICT
 * instead of a generic type error. Unknown keys come as zod's `unrecognized_keys` issues and
 * wrong types as `invalid_type`/`invalid_value`; a missing plain-required key is
 * `invalid_type` with `input === undefined`.
 */
export const ISSUE_CODE_PARAM = 'tsplayCode';

interface IssueSink {
  addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[]; params: Record<string, unknown>; input?: unknown }): void;
}

function addIssue(ctx: IssueSink, code: ErrorCode, message: string, path: string[]): void {
  ctx.addIssue({ code: 'custom', message, path, params: { [ISSUE_CODE_PARAM]: code } });
}

/** ArgRules are cross-argument constraints that a plain object schema cannot state. */
export interface ArgRules<K extends string> {
  /** alias -> canonical argument name (Ansible's `dest` for `path`, ...) */
  readonly aliases?: Readonly<Record<string, K>>;
  /** arguments that must be given (directly or through an alias) */
  readonly required?: readonly K[];
  /** groups of which at least one must be given */
  readonly oneOf?: readonly (readonly K[])[];
  /** groups of which at most one may be given */
  readonly exclusive?: readonly (readonly K[])[];
  /** [if arg, has value, then these are required] (Ansible's required_if) */
  readonly requiredIf?: readonly (readonly [K, unknown, readonly K[]])[];
  /** any other rule, given the arguments with aliases folded into canonical names */
  readonly custom?: (args: Readonly<Record<string, unknown>>) => readonly ArgProblem[];
}

/** ArgProblem is one cross-argument mistake found by an ArgRules.custom rule. */
export interface ArgProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string[];
}

type Out<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;
/** ArgsOf is the output type of a schema built by `moduleArgs`: required keys made non-optional. */
export type ArgsOf<S extends z.ZodRawShape, R extends keyof Out<S>> = Omit<Out<S>, R> & {
  [K in R]-?: Exclude<Out<S>[K], undefined>;
};

/** ArgMeta is what `tsplay doc` shows of a module's ArgRules: every rule except the custom code. */
export type ArgMeta = Omit<ArgRules<string>, 'custom'> & { readonly shape: Readonly<Record<string, z.ZodType>> };

const ARG_META = new WeakMap<object, ArgMeta>();

/** argMetaOf returns the shape and rules a schema was built from by `moduleArgs` (undefined for hand-built schemas). */
export function argMetaOf(schema: z.ZodType): ArgMeta | undefined {
  return ARG_META.get(schema);
}

/**
 * moduleArgs builds a strict module argument schema: unknown keys are rejected (zod's
 * `unrecognized_keys`, with the key in `issue.keys`), aliases are accepted and folded into
 * their canonical name, and cross-argument rules produce issues carrying a tsplay code.
 * Why aliases are separate keys instead of a renaming preprocess: issue paths then name the
 * key the user actually wrote, so the loader can point at its line and column.
 */
export function moduleArgs<S extends z.ZodRawShape, const R extends keyof Out<S> & string = never>(
  shape: S,
  rules: ArgRules<keyof S & string> & { readonly required?: readonly R[] } = {},
): z.ZodType<ArgsOf<S, R>> {
  const aliases = rules.aliases ?? {};
  const full: Record<string, z.ZodType> = {};
  // Why nullish: Ansible treats `key: null` (or `~`) as not given.
  for (const [k, v] of Object.entries(shape)) full[k] = (v as z.ZodType).nullish();
  for (const [alias, canon] of Object.entries(aliases)) {
    const t = shape[canon];
    if (t) full[alias] = (t as z.ZodType).nullish();
  }
  const given = (v: Record<string, unknown>, k: string): boolean => v[k] !== undefined && v[k] !== null;
  // each name's aliases worked out once per module, not on every parse (every task on every host)
  const names = new Map<string, string[]>();
  const namesOf = (k: string): string[] => {
    let n = names.get(k);
    if (!n) {
      n = [k, ...Object.keys(aliases).filter((a) => aliases[a] === k)];
      names.set(k, n);
    }
    return n;
  };
  const canons = [...new Set(Object.values(aliases))];
  const schema = z
    .strictObject(full)
    .superRefine((val, ctx) => {
      const v = val as Record<string, unknown>;
      for (const canon of canons) {
        const used = namesOf(canon).filter((n) => given(v, n));
        if (used.length > 1) addIssue(ctx, 'E_ARG_CONFLICT', `${used.join(' and ')} are aliases of ${canon}; give only one`, [used[1]!]);
      }
      const has = (k: string): boolean => namesOf(k).some((n) => given(v, n));
      for (const k of rules.required ?? []) {
        if (!has(k)) addIssue(ctx, 'E_ARG_REQUIRED', `missing required argument: ${k}`, []);
      }
      for (const group of rules.oneOf ?? []) {
        if (!group.some(has)) addIssue(ctx, 'E_ARG_REQUIRED', `one of these arguments is required: ${group.join(', ')}`, []);
      }
      for (const group of rules.exclusive ?? []) {
        const used = group.filter(has);
        if (used.length > 1) addIssue(ctx, 'E_ARG_CONFLICT', `arguments are mutually exclusive: ${used.join(', ')}`, [namesOf(used[1]!).find((n) => given(v, n))!]);
      }
      for (const [k, value, needed] of rules.requiredIf ?? []) {
        const cur = namesOf(k)
          .map((n) => v[n])
          .find((x) => x !== undefined);
        if (cur !== value) continue;
        const missing = needed.filter((n) => !has(n));
        if (missing.length > 0) addIssue(ctx, 'E_ARG_REQUIRED', `${k} is ${String(value)} but missing: ${missing.join(', ')}`, []);
      }
      if (rules.custom) {
        const folded: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) folded[aliases[k] ?? k] = x;
        for (const p of rules.custom(folded)) addIssue(ctx, p.code, p.message, p.path ?? []);
      }
    })
    .transform((val) => {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(val as Record<string, unknown>)) {
        if (x === undefined || x === null) continue;
        out[aliases[k] ?? k] = x;
      }
      return out;
    }) as unknown as z.ZodType<ArgsOf<S, R>>;
  // the docs are generated from the rules that validate, so they cannot drift apart
  const { custom: _custom, ...meta } = rules;
  ARG_META.set(schema, { ...meta, shape: shape as unknown as Record<string, z.ZodType> });
  return schema;
}
