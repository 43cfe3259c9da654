import { applyTeam } from './team/apply.ts';
import { nmTeamArgsSchema, type NmTeamArgs } from './team/args.ts';
import { readTeam, type TeamCurrent } from './team/current.ts';
import { planTeam } from './team/plan.ts';
import type { TeamPayload } from './team/steps.ts';
import type { ModuleDef } from './types.ts';

/** nmTeamModule converges a guest's NetworkManager team (or its bond fallback) from the guest description's `team` value. */
export const nmTeamModule: ModuleDef<NmTeamArgs, TeamCurrent, TeamPayload> = {
  name: 'nm_team',
  doc: 'Converge a NetworkManager team and its port profiles from the guest `team` value: profiles, running teamd and addresses compared with teamd defaults filled in; modify + reapply / teamdctl where the link can stay up, re-activation only with allow_restart; a bond where NM has no team plugin.',
  classes: ['live', 'restart'],
  schema: nmTeamArgsSchema,
  read: (ctx, args) => readTeam(ctx, args.team.device),
  plan: planTeam,
  async apply(ctx, _args, plan) {
    return plan.payload ? applyTeam(ctx, plan.payload) : { changed: false };
  },
};
