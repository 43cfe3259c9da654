import type { Connection } from '../connection/types.ts';
import { TsplayError } from '../errors/index.ts';
import { GATHER_SCRIPT } from './gather-script.ts';
import { parseFacts, type Facts } from './parse-facts.ts';

export { GATHER_SCRIPT } from './gather-script.ts';
export { parseFacts, type Facts } from './parse-facts.ts';

/** gatherFacts reads the host's facts with ONE remote call (a fixed script) and parses them. */
export async function gatherFacts(conn: Connection): Promise<Facts> {
  const r = await conn.shell(GATHER_SCRIPT, { timeoutMs: 30_000 });
  if (r.rc !== 0 || !r.stdout.includes('@@end')) {
    throw new TsplayError({ code: 'E_COMMAND', message: `fact gathering failed (rc ${r.rc}): ${r.stderr.trim() || 'incomplete output'}`, host: conn.host });
  }
  return parseFacts(r.stdout);
}
