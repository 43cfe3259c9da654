// nm_team's arguments: the guest description's `team` value unchanged, validated by the one guest
// schema (engine/guest), plus the guest's NICs (ports must be among them; their MACs find profiles
// bound by MAC) and what the task allows.
import { z } from 'zod';
import { nicSchema, teamPortIssues, teamSchema } from '../../guest/schema.ts';
import { abool } from '../support/args.ts';

/** nmTeamArgsSchema checks nm_team's arguments at load time, with the path of each bad value. */
export const nmTeamArgsSchema = z
  .strictObject({
    team: teamSchema,
    /** the guest's `nics`; when given, every port must be one of them */
    nics: z.array(nicSchema).optional(),
    /** where NetworkManager has no team plugin: `bond` (the kickstart's mapping, with a warning) or `refuse` */
    team_fallback: z.enum(['bond', 'refuse']).default('bond'),
    /** a change that re-activates the team (runner, link watch: the link bounces) is refused without it */
    allow_restart: abool.default(false),
    /** seconds NetworkManager waits before it rolls a guarded change back by itself */
    checkpoint_timeout: z.number().int().min(10).max(3600).default(60),
  })
  .superRefine((a, ctx) => {
    if (!a.nics) return;
    for (const issue of teamPortIssues(
      a.team.ports,
      a.nics.map((n) => n.name),
    ))
      ctx.addIssue({ code: 'custom', path: ['team', ...issue.path], message: issue.message });
  });

/** NmTeamArgs is nm_team's validated arguments. */
export type NmTeamArgs = z.infer<typeof nmTeamArgsSchema>;
