/** SourcePos is a 1-based place in a file; `line` and `col` count like editors do. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** formatPos renders a SourcePos as `file:line:col`, the form editors and CI annotate. */
export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}
