// Python's shlex whitespace: a vertical tab or form feed is part of a word, unlike JavaScript's \s.
const WHITESPACE = ' \t\r\n';

/**
 * shlexSplit splits a command line into words the way Python's `shlex.split` (POSIX mode)
 * does, which is how Ansible's command module turns its free-form text into argv: no shell
 * runs, so `$HOME`, `*` and `;` stay literal words.
 */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 >= text.length) throw new Error('No escaped character');
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('No escaped character');
      cur += text[++i];
      inWord = true;
    } else if (WHITESPACE.includes(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(cur);
  return words;
}
