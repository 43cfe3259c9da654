// PXE file names per MAC, from data/pxe-names.json (BIOS pxelinux, UEFI GRUB2, iPXE ${mac:hexhyp}).
import test from 'ava';
import { pxeNames } from '../../engine/kickstart/pxe.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const file = new URL('./data/pxe-names.json', import.meta.url);
const cases = caseList<{ mac: string; pxelinux: string; grub: string; ipxe: string }>(readCaseFile(file), file, ['mac', 'pxelinux', 'grub', 'ipxe']);

for (const c of cases) {
  test(`PXE names for ${c.mac}`, (t) => {
    t.deepEqual(pxeNames(c.mac), { pxelinux: c.pxelinux, grub: c.grub, ipxe: c.ipxe });
  });
}
