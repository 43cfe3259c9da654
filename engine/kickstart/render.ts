import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { TsplayError, type SourcePos } from '../errors/index.ts';
import { HELPERS, LENIENT_HELPERS, strictHelper } from '../template/helpers.ts';
import { ksQuote } from './team-spelling.ts';
import { pyJson } from '../py/json.ts';

/** BUILTIN_TEMPLATES is the kickstart template folder shipped with tsplay. */
export const BUILTIN_TEMPLATES = fileURLToPath(new URL('../../templates/kickstart/', import.meta.url));

/** BASE_TEMPLATE is the file name of the base kickstart; every other `.hbs` file is a partial. */
export const BASE_TEMPLATE = 'kickstart.hbs';

/** RenderedKickstart is the text plus, per output line, the template file:line that produced it. */
export interface RenderedKickstart {
  readonly text: string;
  readonly origins: readonly (SourcePos | undefined)[];
}

/**
 * templateDirs lists where kickstart templates are looked up, first hit wins: `--templates DIR`,
 * `templates/kickstart/` beside each inventory (in the folder that holds the inventory file or
 * directory — not inside an inventory directory, whose every file is an inventory source), in the
 * working directory, then tsplay's own.
 */
export function templateDirs(opts: { besideInventory: readonly string[]; cwd: string; extra?: string | undefined }): string[] {
  const dirs: string[] = [];
  if (opts.extra) dirs.push(resolve(opts.extra));
  for (const d of opts.besideInventory) dirs.push(join(d, 'templates', 'kickstart'));
  dirs.push(join(opts.cwd, 'templates', 'kickstart'), BUILTIN_TEMPLATES);
  return dirs.map((d) => resolve(d)).filter((d, i, a) => a.indexOf(d) === i && existsSync(d));
}

/** findTemplates maps each template name (file name without .hbs) to the first file that has it. */
export function findTemplates(dirs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of dirs) {
    for (const f of readdirSync(d).sort()) {
      if (f.endsWith('.hbs') && !out.has(f.slice(0, -4))) out.set(f.slice(0, -4), join(d, f));
    }
  }
  return out;
}

const MARK_OPEN = '\u001e';
const MARK_CLOSE = '\u001f';
// a line that is only a block tag, else, partial or comment is "standalone": Handlebars drops it
// whole, so a marker there would turn it into an output line
const STANDALONE = /^\s*\{\{~?\s*(#|\/|\^|else\b|>|!)[^{}]*\}\}\s*$/;

function instrument(source: string, fileIdx: number): string {
  return source
    .split('\n')
    .map((line, i, all) => {
      if (i === all.length - 1 && line === '') return line;
      const opens = line.split('{{').length;
      const closes = line.split('}}').length;
      if (STANDALONE.test(line) || opens !== closes) return line;
      return `${line}${MARK_OPEN}${fileIdx}:${i + 1}${MARK_CLOSE}`;
    })
    .join('\n');
}

function lineOf(err: unknown): number | undefined {
  const e = err as { lineNumber?: unknown; message?: unknown };
  if (typeof e.lineNumber === 'number') return e.lineNumber;
  const m = /on line (\d+)/.exec(String(e.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

function templateError(err: unknown, file: string, host: string): TsplayError {
  if (err instanceof TsplayError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const undef = /"([^"]+)" not defined/.exec(msg);
  return new TsplayError({
    code: undef ? 'E_UNDEFINED_VAR' : 'E_TEMPLATE_SYNTAX',
    message: undef ? `kickstart template uses "${undef[1]}", which is not defined` : `kickstart template: ${msg.split('\n')[0]}`,
    pos: { file, line: lineOf(err) ?? 1, col: 1 },
    host,
  });
}

/**
 * renderKickstart renders the base template with its partials (strict: a missing value is an error,
 * never an empty string) and records which template line produced each output line, so lint findings
 * can point at the template the user would edit.
 */
export function renderKickstart(ctx: object, dirs: readonly string[], host: string): RenderedKickstart {
  const files = findTemplates(dirs);
  const base = files.get(BASE_TEMPLATE.slice(0, -4));
  if (!base) throw new TsplayError({ code: 'E_FILE_NOT_FOUND', message: `no ${BASE_TEMPLATE} in ${dirs.join(', ')}`, host });
  const hb = Handlebars.create();
  // the shared helpers (quote, join, ipaddr, mac_dashes ...) as every tsplay template has them, plus
  // two kickstart ones: ksq quotes for pykickstart's shlex, pyjson writes JSON as teamd's docs show it
  for (const [name, fn] of Object.entries(HELPERS)) {
    hb.registerHelper(name, LENIENT_HELPERS.has(name) ? (...args: unknown[]) => fn(...args.slice(0, -1)) : strictHelper(name, fn));
  }
  hb.registerHelper(
    'ksq',
    strictHelper('ksq', (v: unknown) => ksQuote(String(v))),
  );
  hb.registerHelper(
    'pyjson',
    strictHelper('pyjson', (v: unknown) => pyJson(v)),
  );
  const fileList = [...files.values()];
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  for (const [name, file] of files) {
    const idx = fileList.indexOf(file);
    let fn: HandlebarsTemplateDelegate;
    try {
      fn = hb.compile(instrument(readFileSync(file, 'utf8'), idx), { noEscape: true, strict: true });
    } catch (err) {
      throw templateError(err, file, host);
    }
    const wrapped = ((c: unknown, o?: Handlebars.RuntimeOptions) => {
      try {
        return fn(c, o);
      } catch (err) {
        throw templateError(err, file, host);
      }
    }) as HandlebarsTemplateDelegate;
    compiled.set(name, wrapped);
    if (file !== base) hb.registerPartial(name, wrapped);
  }
  const raw = compiled.get(BASE_TEMPLATE.slice(0, -4))!(ctx);
  const lines = raw.split('\n');
  const origins: (SourcePos | undefined)[] = [];
  const markRe = new RegExp(`${MARK_OPEN}(\\d+):(\\d+)${MARK_CLOSE}`, 'g');
  const clean = lines.map((line) => {
    let last: SourcePos | undefined;
    for (const m of line.matchAll(markRe)) last = { file: fileList[Number(m[1])]!, line: Number(m[2]), col: 1 };
    origins.push(last);
    return line.replace(markRe, '');
  });
  // a line produced inside a multi-line value has no marker of its own: it belongs to the next marked line
  for (let i = origins.length - 2; i >= 0; i--) if (!origins[i]) origins[i] = origins[i + 1];
  return { text: clean.join('\n'), origins };
}
