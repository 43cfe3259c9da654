import { shlexSplit } from '../ks-shlex.ts';

/** KsCommand is one command line of a kickstart, split as pykickstart splits it. */
export interface KsCommand {
  readonly name: string;
  readonly words: string[];
  /** 1-based line in the kickstart */
  readonly line: number;
  readonly raw: string;
  readonly midWordHash?: number | undefined;
  /** the line did not tokenize (reported as KS_SYNTAX); only its first word is trusted */
  readonly broken?: boolean;
}

/** KsSection is a `%name ... %end` block. */
export interface KsSection {
  readonly name: string;
  readonly args: string[];
  readonly line: number;
  readonly body: { text: string; line: number }[];
  readonly closed: boolean;
}

/** KsParseProblem is a line the tokenizer or the section structure rejects. */
export interface KsParseProblem {
  readonly code: 'KS_SYNTAX' | 'KS_SECTION_UNCLOSED' | 'KS_STRAY_END';
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** ParsedKickstart is a kickstart split into commands and sections, with the problems met on the way. */
export interface ParsedKickstart {
  readonly commands: KsCommand[];
  readonly sections: KsSection[];
  readonly problems: KsParseProblem[];
  /** `%include`/`%ksappend` lines outside sections: their files hold more commands */
  readonly includes: { readonly path: string; readonly line: number }[];
}

/**
 * parseKickstart walks a kickstart as anaconda does: a line starting with `%` opens a section that
 * runs to `%end`; `%include`/`%ksappend` are directives; every other non-comment line is a command.
 */
export function parseKickstart(text: string): ParsedKickstart {
  const commands: KsCommand[] = [];
  const sections: KsSection[] = [];
  const problems: KsParseProblem[] = [];
  const includes: { path: string; line: number }[] = [];
  let open: { name: string; args: string[]; line: number; body: { text: string; line: number }[] } | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed.startsWith('%') && !trimmed.startsWith('%include') && !trimmed.startsWith('%ksappend')) {
      const word = trimmed.split(/\s+/)[0]!;
      if (word === '%end') {
        if (open) sections.push({ ...open, closed: true });
        else problems.push({ code: 'KS_STRAY_END', line, col: 1, message: '%end without an open section' });
        open = null;
        return;
      }
      if (open) {
        // inside %post a `%` line is part of the script only if it is not a section name we know
        if (!/^%(pre|pre-install|post|packages|onerror|traceback|addon|anaconda|certificate)\b/.test(trimmed)) {
          open.body.push({ text: raw, line });
          return;
        }
        problems.push({ code: 'KS_SECTION_UNCLOSED', line: open.line, col: 1, message: `section ${open.name} is not closed with %end before ${word} on line ${line}` });
        sections.push({ ...open, closed: false });
      }
      const split = shlexSplit(trimmed);
      open = { name: word, args: split.ok ? split.words.slice(1) : [], line, body: [] };
      return;
    }
    if (open) {
      open.body.push({ text: raw, line });
      return;
    }
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const inc = /^%(?:include|ksappend)\s+(\S+)/.exec(trimmed);
    if (inc) {
      includes.push({ path: inc[1]!, line });
      return;
    }
    const split = shlexSplit(raw);
    if (!split.ok) {
      problems.push({ code: 'KS_SYNTAX', line, col: split.col, message: `${split.error} (the line does not tokenize)` });
      const first = raw.trim().split(/\s+/)[0]!;
      commands.push({ name: first, words: [first], line, raw, broken: true });
      return;
    }
    if (split.words.length === 0) return;
    commands.push({ name: split.words[0]!, words: split.words, line, raw, midWordHash: split.midWordHash });
  });
  const last = open as { name: string; args: string[]; line: number; body: { text: string; line: number }[] } | null;
  if (last) {
    problems.push({ code: 'KS_SECTION_UNCLOSED', line: last.line, col: 1, message: `section ${last.name} is not closed with %end` });
    sections.push({ ...last, closed: false });
  }
  return { commands, sections, problems, includes };
}
