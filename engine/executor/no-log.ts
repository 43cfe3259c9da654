/** NO_LOG_MSG is Ansible's exact text for a result hidden by `no_log: true`. */
export const NO_LOG_MSG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/**
 * censorResult replaces a result with what Ansible shows for no_log: only `changed` (and the
 * failure/skip flags that drive the status) survive, so no value of the task reaches any event.
 */
export function censorResult(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { censored: NO_LOG_MSG, changed: result['changed'] === true };
  if (result['failed'] === true) out['failed'] = true;
  if (result['skipped'] === true) out['skipped'] = true;
  if (result['unreachable'] === true) out['unreachable'] = true;
  return out;
}
