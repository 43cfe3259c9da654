/** EXIT is ansible-playbook's set of exit codes, which scripts around tsplay rely on. */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  HOST_FAILED: 2,
  /** a host was unreachable, or a playbook/inventory did not parse */
  UNREACHABLE_OR_PARSE: 4,
  BAD_OPTIONS: 5,
  INTERRUPTED: 99,
} as const;
