// Lint findings point at the template line that wrote the offending kickstart line: for each case in
// data/origins.json, the recorded origin of the first output line starting with `output` must be a
// line of `template` containing `contains`.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { isKickstartGuest, parseGuest } from '../../engine/guest/schema.ts';
import { openInventory } from '../../engine/kickstart/inventory-source.ts';
import { buildContext } from '../../engine/kickstart/ks-context.ts';
import { parseOsTarget } from '../../engine/kickstart/os-target.ts';
import { BUILTIN_TEMPLATES, renderKickstart } from '../../engine/kickstart/render.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const file = new URL('./data/origins.json', import.meta.url);
const cases = caseList<{ host: string; output: string; template: string; contains: string }>(readCaseFile(file), file, ['host', 'output', 'template', 'contains']);

for (const c of cases) {
  test(`origin of "${c.output}" (${c.host})`, async (t) => {
    const inv = await openInventory(['inventories/pxe-example'], root);
    const p = parseGuest(inv.hostVars(c.host));
    if (!('guest' in p) || !isKickstartGuest(p.guest)) return t.fail();
    const os = parseOsTarget(p.guest.os);
    if ('error' in os) return t.fail();
    const r = renderKickstart(buildContext(c.host, p.guest, os), [BUILTIN_TEMPLATES], c.host);
    const idx = r.text.split('\n').findIndex((l) => l.startsWith(c.output));
    t.true(idx >= 0, `no output line starts with ${c.output}`);
    const o = r.origins[idx];
    t.is(basename(o?.file ?? ''), c.template);
    const src = readFileSync(join(BUILTIN_TEMPLATES, c.template), 'utf8').split('\n')[(o?.line ?? 0) - 1] ?? '';
    t.true(src.includes(c.contains), `${c.template}:${o?.line} is "${src}"`);
    t.false(/[\u001e\u001f]/.test(r.text), 'no origin marker leaks into the output');
  });
}
