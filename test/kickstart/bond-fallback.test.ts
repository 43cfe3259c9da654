// RHEL 10 fallback: a team description becomes bonding options with the same meaning (data/bond-fallback.json).
import test from 'ava';
import { bondFromTeam } from '../../engine/guest/bond-fallback.ts';
import { guestSchema } from '../../engine/guest/schema.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const file = new URL('./data/bond-fallback.json', import.meta.url);
const cases = caseList<{ about: string; team: Record<string, unknown>; options: string[]; warnings: number }>(readCaseFile(file), file, ['about', 'team', 'options', 'warnings']);

for (const c of cases) {
  test(`bond fallback: ${c.about}`, (t) => {
    // validate through the real schema so defaults (device, link_watch) are the ones users get
    const team = guestSchema.shape.team.parse({ ...c.team, ipv4: { method: 'dhcp' } });
    const bond = bondFromTeam(team);
    t.is(bond.device, 'bond0');
    t.deepEqual(bond.options, c.options);
    t.is(bond.warnings.length, c.warnings, bond.warnings.join('; '));
  });
}
