import { teamStateProbe } from '../probes/teamdctl.ts';
import { taskOpts } from './support/task-opts.ts';
import { planTeamdState, teamdStateArgsSchema, type TeamdStateArgs } from './team/state-plan.ts';
import type { ModuleDef } from './types.ts';

/** teamdStateModule asserts a team's runtime (runner, active port, links, link watches); it never changes anything. */
export const teamdStateModule: ModuleDef<TeamdStateArgs, string | null> = {
  name: 'teamd_state',
  doc: "Assert a team's runtime from `teamdctl T state dump`: runner, active port (or any), every port's link and link watch up; use with until/retries to wait for a failover.",
  schema: teamdStateArgsSchema,
  async read(ctx, args) {
    const r = await ctx.conn.run(teamStateProbe(args.device).argv, taskOpts(ctx));
    return r.rc === 0 ? r.stdout : null;
  },
  plan: (args, dump) => planTeamdState(args, dump),
  async apply() {
    return { changed: false };
  },
};
