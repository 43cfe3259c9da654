import type { ErrorCode } from './codes.ts';
import type { SourcePos } from './source-pos.ts';

/** DiagnosticInit holds what one user-facing problem needs to be located and fixed. */
export interface DiagnosticInit {
  readonly code: ErrorCode;
  readonly message: string;
  readonly pos?: SourcePos | undefined;
  readonly hint?: string | undefined;
  readonly host?: string | undefined;
  readonly task?: string | undefined;
}

/**
 * TsplayError is the one error type: a closed code, a message, and where it happened
 * (source position and/or host and task). User mistakes are collected as several of these
 * before anything runs; exceptions of this type are thrown for connection failures.
 */
export class TsplayError extends Error implements DiagnosticInit {
  readonly code: ErrorCode;
  readonly pos: SourcePos | undefined;
  readonly hint: string | undefined;
  readonly host: string | undefined;
  readonly task: string | undefined;

  constructor(init: DiagnosticInit, options?: { cause?: unknown }) {
    super(init.message, options);
    this.name = 'TsplayError';
    this.code = init.code;
    this.pos = init.pos;
    this.hint = init.hint;
    this.host = init.host;
    this.task = init.task;
  }
}

/**
 * TsplayErrors carries every diagnostic found by a stage that collects (loader, inventory,
 * kickstart lint), so the CLI can print them all before deciding the exit code.
 */
export class TsplayErrors extends Error {
  readonly errors: readonly TsplayError[];
  constructor(errors: readonly TsplayError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'TsplayErrors';
    this.errors = errors;
  }
}

/** Diagnostics is a sink that stages push problems into instead of throwing at the first one. */
export class Diagnostics {
  readonly items: TsplayError[] = [];
  add(init: DiagnosticInit): void {
    this.items.push(new TsplayError(init));
  }
  get ok(): boolean {
    return this.items.length === 0;
  }
  /** throwIfAny raises all collected problems at once. */
  throwIfAny(): void {
    if (this.items.length > 0) throw new TsplayErrors(this.items);
  }
}
