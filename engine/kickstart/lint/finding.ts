import { TsplayError, type SourcePos } from '../../errors/index.ts';

/**
 * Severity says whether a finding stops generation (error: the installer would refuse the file or stop
 * and ask), is only reported (warning: unusual), or says what the lint could not check (note).
 */
export type Severity = 'error' | 'warning' | 'note';

/** Finding is one lint result: a stable code, the host, and the template (or file) line to fix. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly host?: string | undefined;
  readonly pos?: SourcePos | undefined;
}

/** findingToError wraps an error finding as the one error type; the lint code leads the message. */
export function findingToError(f: Finding): TsplayError {
  return new TsplayError({ code: 'E_KS_LINT', message: `${f.code}: ${f.message}`, pos: f.pos, host: f.host });
}

/** formatFinding renders `file:line:col: severity[CODE]: message (host h)` for the terminal. */
export function formatFinding(f: Finding): string {
  const where = f.pos ? `${f.pos.file}:${f.pos.line}:${f.pos.col}: ` : '';
  return `${where}${f.severity}[${f.code}]: ${f.message}${f.host ? ` (host ${f.host})` : ''}`;
}
