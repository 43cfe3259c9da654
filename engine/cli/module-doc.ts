import { z } from 'zod';
import { getModule, moduleNames } from '../modules/registry.ts';
import { argMetaOf } from '../modules/support/args.ts';
import type { ModuleDef } from '../modules/types.ts';
import { schemaKeys } from '../loader/module-args.ts';

/** ArgDoc is one argument as `tsplay doc` shows it, read from the module's schema and rules. */
export interface ArgDoc {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly aliases: readonly string[];
  readonly choices?: readonly unknown[];
  readonly default?: unknown;
}

type Json = { type?: string | string[]; enum?: unknown[]; anyOf?: Json[]; items?: Json; default?: unknown; const?: unknown };

const TYPE_WORDS: Record<string, string> = { string: 'str', boolean: 'bool', integer: 'int', number: 'float', array: 'list', object: 'dict' };

/** typeOf names a JSON Schema type in Ansible's argument-spec words (str, bool, int, list, dict, raw). */
function typeOf(j: Json): { type: string; choices?: unknown[] } {
  if (j.enum) return { type: 'str', choices: j.enum.filter((x) => x !== null) };
  if (j.const !== undefined) return { type: 'str', choices: [j.const] };
  if (j.anyOf) {
    const parts = j.anyOf.filter((p) => !(p.type === 'null'));
    const inner = parts.map(typeOf);
    const choices = inner.flatMap((p) => p.choices ?? []);
    const types = [...new Set(inner.map((p) => p.type))];
    return { type: types.join('|') || 'raw', ...(choices.length && inner.every((p) => p.choices) ? { choices } : {}) };
  }
  const types = (Array.isArray(j.type) ? j.type : j.type ? [j.type] : []).filter((t) => t !== 'null');
  if (types.length === 0) return { type: 'raw' };
  const words = types.map((t) => (t === 'array' && j.items ? `list of ${typeOf(j.items).type}` : (TYPE_WORDS[t] ?? t)));
  return { type: words.join('|') };
}

function jsonOf(schema: z.ZodType): Json {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as Json;
  } catch {
    return {};
  }
}

/** argDocs lists a module's arguments with their types, choices, aliases and required flag, canonical names only. */
export function argDocs(mod: ModuleDef): ArgDoc[] {
  const meta = argMetaOf(mod.schema);
  if (!meta) return (schemaKeys(mod.schema) ?? []).map((name) => ({ name, type: 'raw', required: false, aliases: [] }));
  const aliases = meta.aliases ?? {};
  return Object.entries(meta.shape).map(([name, t]) => {
    const j = jsonOf(t);
    const { type, choices } = typeOf(j);
    return {
      name,
      type,
      required: (meta.required ?? []).includes(name),
      aliases: Object.keys(aliases).filter((a) => aliases[a] === name),
      ...(choices ? { choices } : {}),
      ...(j.default !== undefined ? { default: j.default } : {}),
    };
  });
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** ruleLines states a module's cross-argument rules in words (one of, mutually exclusive, required if). */
function ruleLines(mod: ModuleDef): string[] {
  const meta = argMetaOf(mod.schema);
  if (!meta) return [];
  return [
    ...(meta.oneOf ?? []).map((g) => `one of these is required: ${g.join(', ')}`),
    ...(meta.exclusive ?? []).map((g) => `mutually exclusive: ${g.join(', ')}`),
    ...(meta.requiredIf ?? []).map(([k, v, need]) => `if ${k} is ${show(v)}: ${need.join(', ')} required`),
  ];
}

/** checkModeLine says how a module behaves under --check, from how the executor drives it. */
function checkModeLine(mod: ModuleDef): string {
  if (mod.route === 'meta') return 'the walker carries out the action; --check does not change it';
  if (mod.local) return 'runs on the controller and changes no host, so --check runs it as usual';
  return 'yes: reads and plans, never applies; a plan that cannot be known without acting (a command) is reported skipped';
}

/** formatModuleDoc renders `tsplay doc MODULE`: description, arguments, rules, check/diff support, classes, example. */
export function formatModuleDoc(mod: ModuleDef): string {
  const out: string[] = [`> ${mod.name.toUpperCase()}`, '', `  ${mod.doc}`, ''];
  if (mod.aliases?.length) out.push(`  Also called: ${mod.aliases.join(', ')}`, '');
  const args = argDocs(mod);
  if (mod.freeForm) out.push(`  Free-form: the text after the module name is \`${mod.freeForm}\`.`, '');
  out.push(args.length ? 'OPTIONS (= is mandatory):' : 'OPTIONS: none');
  for (const a of args) {
    out.push('', `${a.required ? '=' : '-'} ${a.name}`);
    if (a.aliases.length) out.push(`        aliases: [${a.aliases.join(', ')}]`);
    if (a.choices) out.push(`        choices: [${a.choices.map(show).join(', ')}]`);
    if (a.default !== undefined) out.push(`        default: ${show(a.default)}`);
    out.push(`        type: ${a.type}`);
  }
  const rules = ruleLines(mod);
  if (rules.length) out.push('', 'RULES:', ...rules.map((r) => `  ${r}`));
  out.push(
    '',
    'ATTRIBUTES:',
    `  check_mode: ${checkModeLine(mod)}`,
    `  diff_mode: ${mod.local || mod.route || mod.noDiff ? 'nothing to show' : 'yes: --diff shows every planned change (before/after, a unified diff for file content)'}`,
  );
  out.push(`  change classes: ${mod.classes?.length ? mod.classes.join(', ') : 'none (unclassed changes, as Ansible modules)'}`);
  if (mod.example) out.push('', 'EXAMPLES:', '', ...mod.example.trimEnd().split('\n'));
  return `${out.join('\n')}\n`;
}

/** docListing renders `tsplay doc --list`: each module's name and the first sentence of its doc, one per line. */
export function docListing(): string {
  const names = moduleNames();
  const width = Math.max(...names.map((n) => n.length));
  return `${names.map((n) => `${n.padEnd(width)} ${firstSentence(getModule(n)!.doc)}`).join('\n')}\n`;
}

/** firstSentence cuts a module doc at its first sentence end (`. ` or `: `), for one-line listings. */
export function firstSentence(doc: string): string {
  let code = false;
  for (let i = 0; i < doc.length; i++) {
    const ch = doc[i];
    if (ch === '`') code = !code;
    else if (!code && (ch === '.' || ch === ':') && /\s/.test(doc[i + 1] ?? ' ')) return doc.slice(0, ch === '.' ? i + 1 : i);
  }
  return doc;
}

/** readmeModuleTable renders the README's module list: a markdown table built from the same source as `tsplay doc`. */
export function readmeModuleTable(): string {
  const rows = moduleNames().map((n) => {
    const m = getModule(n)!;
    const args = argDocs(m)
      .map((a) => (a.required ? `**${a.name}**` : a.name))
      .join(', ');
    return `| \`${n}\` | ${firstSentence(m.doc).replace(/\|/g, '\\|')} | ${args || '—'} | ${m.classes?.join(', ') ?? ''} |`;
  });
  return ['| module | what it does | arguments (**required**) | change classes |', '|---|---|---|---|', ...rows].join('\n');
}

/** README_MARKERS delimit the generated module table in README.md. */
export const README_MARKERS = ["<!-- modules:begin (generated by `npm run docs:modules` from each module's schema: do not edit by hand) -->", '<!-- modules:end -->'] as const;

/** withModuleTable returns README text with the table between the markers regenerated; undefined when a marker is missing. */
export function withModuleTable(readme: string): string | undefined {
  const [begin, end] = README_MARKERS;
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) return undefined;
  return `${readme.slice(0, a + begin.length)}\n${readmeModuleTable()}\n${readme.slice(b)}`;
}
