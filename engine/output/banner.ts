/**
 * ANSIBLE_COLUMNS is the width Ansible pads banners to when stdout is not a terminal:
 * display.py uses max(79, tty width - 1), so a banner line is 80 characters long.
 */
export const ANSIBLE_COLUMNS = 79;

/** banner renders `MSG ****` padded with stars as Ansible's display.banner does (at least 3 stars). */
export function banner(msg: string, columns: number = ANSIBLE_COLUMNS): string {
  const text = msg.trim();
  const stars = Math.max(3, columns - text.length);
  return `${text} ${'*'.repeat(stars)}`;
}
