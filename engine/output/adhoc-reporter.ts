import type { ExecEvent } from '../executor/events.ts';
import { pyJson } from '../py/json.ts';
import { resultOf, type ResultEvent } from './plain-reporter.ts';
import { renderChanges } from './render-diff.ts';

/** NO_JSON_MODULES are the modules whose ad-hoc result Ansible shows as `rc=N >>` and the output (C.MODULE_NO_JSON). */
const NO_JSON_MODULES: ReadonlySet<string> = new Set(['command', 'shell', 'raw']);

/** AdhocOptions tune the ad-hoc reporter; `write` receives whole lines, `warn` the stderr ones. */
export interface AdhocOptions {
  readonly diff: boolean;
  readonly verbosity: number;
  readonly write: (line: string) => void;
  readonly warn: (line: string) => void;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/**
 * AdhocReporter prints what `ansible` 2.14 prints for an ad-hoc run (its `minimal` callback,
 * colours off): `host | CHANGED => {…}` with the result indented by 4, or for command, shell and
 * raw `host | SUCCESS | rc=0 >>` and the output; no banners, no recap.
 */
export class AdhocReporter {
  private readonly o: AdhocOptions;
  constructor(o: AdhocOptions) {
    this.o = o;
  }

  private dump(e: ResultEvent): string {
    return pyJson(resultOf(e), { sortKeys: true, indent: 4 });
  }

  /** command is minimal's _command_generic_msg: header, then stdout, stderr and msg run together. */
  private command(e: ResultEvent, caption: string): string {
    const r = e.result ?? {};
    const rc = r['rc'] ?? -1;
    return `${e.host} | ${caption} | rc=${text(rc)} >>\n${text(r['stdout'])}${text(r['stderr'])}${text(r['msg'] ?? e.msg)}`;
  }

  /** onEvent renders a host's result (diff first, as Ansible's v2_on_file_diff) and warnings. */
  onEvent(e: ExecEvent): void {
    if (e.type === 'warning') this.o.warn(`[WARNING]: ${e.host ? `[${e.host}]: ` : ''}${e.message}`);
    else if (e.type === 'debug') this.o.warn(`<${e.host ?? 'tsplay'}> ${e.message}`);
    else if (e.type === 'interrupted') this.o.warn('[ERROR]: User interrupted execution');
    else if (e.type === 'host-result') this.result(e);
  }

  private result(e: Extract<ExecEvent, { type: 'host-result' }>): void {
    const noJson = NO_JSON_MODULES.has(e.task.module);
    if ((e.showDiff ?? this.o.diff) && e.changes.length > 0 && e.status !== 'skipped' && e.status !== 'unreachable') {
      const lines = renderChanges(e.changes);
      for (const l of lines) this.o.write(l);
      // Ansible leaves one blank line between the diff and the result line
      if (lines.at(-1) !== '') this.o.write('');
    }
    switch (e.status) {
      case 'skipped':
        this.o.write(`${e.host} | SKIPPED`);
        return;
      case 'unreachable':
        this.o.write(`${e.host} | UNREACHABLE! => ${this.dump(e)}`);
        return;
      case 'ok':
      case 'changed': {
        const caption = e.status === 'changed' ? 'CHANGED' : 'SUCCESS';
        this.o.write(noJson ? this.command(e, caption) : `${e.host} | ${caption} => ${this.dump(e)}`);
        return;
      }
      default:
        this.o.write(noJson && e.result && 'rc' in e.result ? this.command(e, 'FAILED') : `${e.host} | FAILED! => ${this.dump(e)}`);
    }
  }
}
