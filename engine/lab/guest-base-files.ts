// Files baked into every guest's base image. Per-guest data (hostname, ssh keys, the management
// NM profile) is NOT here: it comes from a small "seed" disk (/dev/vdb) that tsplay-seed copies
// onto / at boot, so one cached base image serves every guest and every lab key.

const SEED_SCRIPT = `#!/bin/sh
# Copies the per-guest tree from the seed disk (label tsplay-seed) onto / before NM and sshd start.
set -e
mkdir -p /run/tsplay-seed
if mount -o ro LABEL=tsplay-seed /run/tsplay-seed 2>/dev/null; then
  cp -a /run/tsplay-seed/tree/. /
  umount /run/tsplay-seed
  [ -f /etc/hostname ] && hostname "$(cat /etc/hostname)"
fi
# a guest booted without a seed still gets host keys; only then: -A would add the RSA and ECDSA
# keys the seed does not bring, ~20 s of a boot on a TCG vCPU (sshd offers the ed25519 one only)
ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1 || ssh-keygen -A
`;

const SEED_UNIT = `[Unit]
Description=tsplay lab: copy per-guest files from the seed disk
DefaultDependencies=no
After=local-fs.target
Before=NetworkManager.service ssh.service network-pre.target sysinit.target
Wants=network-pre.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/tsplay-seed
RemainAfterExit=yes

[Install]
WantedBy=sysinit.target
`;

/** GUEST_BASE_FILES maps absolute guest paths to their content. */
export const GUEST_BASE_FILES: Readonly<Record<string, string>> = {
  '/etc/fstab': '/dev/vda / ext4 rw,errors=remount-ro 0 1\n',
  // Why: NM must not invent "Wired connection N" profiles on the extra NICs the tests team up.
  '/etc/NetworkManager/conf.d/10-tsplay.conf': '[main]\nno-auto-default=*\n',
  '/usr/local/sbin/tsplay-seed': SEED_SCRIPT,
  '/etc/systemd/system/tsplay-seed.service': SEED_UNIT,
  // Why UsePAM no: with PAM every ssh login that finds no other session of root makes logind start
  // systemd --user (user@0.service) and stop it 10 s after the logout, and pam_motd runs
  // update-motd.d: on the guests' one TCG vCPU that was 2.3-4 s of each connection (user@0 ~1.8 s
  // CPU per start) — paid once per test run of tsplay, ssh or the capture tool. Key logins need none
  // of it (root's password field is '*', not locked).
  '/etc/ssh/sshd_config.d/10-tsplay.conf': 'UseDNS no\nPermitRootLogin prohibit-password\nUsePAM no\nHostKey /etc/ssh/ssh_host_ed25519_key\n',
  // Why the rest: a guest boots on one TCG vCPU, where every module load and unit start costs real
  // seconds (a boot took 49 s, 12 of them in the kernel and initramfs). The initramfs carries the
  // two modules that find the root disk instead of all of them (MODULES=most); udev's coldplug
  // would load what the emulated machine offers though nothing here uses it: kvm (qemu64 shows
  // svm), the i440fx IDE controller's ata_piix and the SCSI stack behind it, the PC speaker.
  '/etc/initramfs-tools/conf.d/10-tsplay': 'MODULES=list\n',
  '/etc/initramfs-tools/modules': 'virtio_pci\nvirtio_blk\n',
  '/etc/modprobe.d/10-tsplay.conf': ['kvm', 'kvm_amd', 'kvm_intel', 'ata_piix', 'ata_generic', 'pata_acpi', 'serio_raw', 'pcspkr', 'floppy'].map((m) => `blacklist ${m}\n`).join(''),
  // Why: the journal is read within a boot only; on disk it was a flush of seconds at every boot.
  '/etc/systemd/journald.conf.d/10-tsplay.conf': '[Journal]\nStorage=volatile\n',
};
