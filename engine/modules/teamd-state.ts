import { teamConfigProbe, teamStateProbe } from '../probes/teamdctl.ts';
import { taskOpts } from './support/task-opts.ts';
import { planTeamdState, teamdStateArgsSchema, type TeamdDumps, type TeamdStateArgs } from './team/state-plan.ts';
import type { ModuleDef } from './types.ts';

/** teamdStateModule asserts a team's runtime (runner, active port, links, link watches, active port vs prio); it never changes anything. */
export const teamdStateModule: ModuleDef<TeamdStateArgs, TeamdDumps> = {
  name: 'teamd_state',
  doc: "Assert a team's runtime from `teamdctl T state dump`: runner, active port (or any), every port's link and link watch up, and (activebackup) that the active port is the highest-prio port with its link up unless it is sticky; use with until/retries to wait for a failover.",
  schema: teamdStateArgsSchema,
  async read(ctx, args) {
    // one round trip: the state and the running config that holds the ports' prio and stickiness
    const [st, cfg] = await ctx.conn.batch([teamStateProbe(args.device).argv, teamConfigProbe(args.device).argv], taskOpts(ctx));
    return { state: st!.rc === 0 ? st!.stdout : null, config: cfg!.rc === 0 ? cfg!.stdout : null };
  },
  plan: (args, dumps) => planTeamdState(args, dumps),
  async apply() {
    return { changed: false };
  },
};
