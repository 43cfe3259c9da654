import type { PlaybookOptions } from '../options.ts';
import { TsplayError } from '../../errors/index.ts';

/**
 * runPlaybooks loads inventory and playbooks (all errors collected first), then either lists,
 * syntax-checks, or runs them through the executor with the chosen reporter.
 * PLACEHOLDER: wired up by the loader and executor work.
 */
export async function runPlaybooks(opts: PlaybookOptions): Promise<number> {
  void opts;
  throw new TsplayError({ code: 'E_INTERNAL', message: 'playbook runs are not wired up yet' });
}
