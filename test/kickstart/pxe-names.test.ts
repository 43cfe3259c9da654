// PXE file names per MAC, from data/pxe-names.json (BIOS pxelinux, UEFI GRUB2, iPXE ${mac:hexhyp}).
import { readFileSync } from 'node:fs';
import test from 'ava';
import { pxeNames } from '../../engine/kickstart/pxe.ts';

const cases = JSON.parse(readFileSync(new URL('./data/pxe-names.json', import.meta.url), 'utf8')) as { mac: string; pxelinux: string; grub: string; ipxe: string }[];

for (const c of cases) {
  test(`PXE names for ${c.mac}`, (t) => {
    t.deepEqual(pxeNames(c.mac), { pxelinux: c.pxelinux, grub: c.grub, ipxe: c.ipxe });
  });
}
