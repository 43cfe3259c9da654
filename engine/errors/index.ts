export { ERROR_CODES, type ErrorCode } from './codes.ts';
export { type SourcePos, formatPos } from './source-pos.ts';
export { TsplayError, TsplayErrors, Diagnostics, type DiagnosticInit } from './tsplay-error.ts';
export { formatError } from './format.ts';
