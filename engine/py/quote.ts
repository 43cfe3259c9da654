// Python's shlex.quote (Ansible's `quote` filter) is also what tsplay uses to build every remote
// command line: one quoting rule, so a word that survives the filter survives the transport too.

/** ShQuoteOptions say how shQuote departs from Python's shlex.quote. */
export interface ShQuoteOptions {
  /**
   * quote words holding `=` too: shlex.quote leaves `A=b` bare, which is harmless as an argument
   * but would be an assignment as the first word of a command
   */
  readonly quoteEquals?: boolean;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const SAFE_NO_EQUALS = /^[A-Za-z0-9_@%+:,./-]+$/;

/** shQuote quotes a word for a POSIX shell as Python's shlex.quote does: bare when safe, else in single quotes. */
export function shQuote(word: string, opts: ShQuoteOptions = {}): string {
  if (word !== '' && (opts.quoteEquals ? SAFE_NO_EQUALS : SAFE).test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}
