#!/usr/bin/env bash
# Records what the installed ansible-playbook says of each bad-input case (test/loader/bad/<case>/):
#   ansible-playbook -i <inventory.ini or localhost,> site.yml --syntax-check
# -> bad/<case>/ansible-says.txt: its exit status line (`rc N`) and its output, warnings included.
# bad-corpus.test.ts compares the line (and column) Ansible reports, where it reports one, with
# tsplay's first error in the same file. Run it again after adding a case or upgrading Ansible.
#
# Ansible runs with a clean HOME and no ANSIBLE_* settings, so no ansible.cfg can leak in.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
version="$(ansible-playbook --version | sed -n 1p)"
for dir in "$here"/bad/*/; do
  case="${dir%/}"
  inv='localhost,'
  [ -f "$case/inventory.ini" ] && inv=inventory.ini
  set +e
  out="$(cd "$case" && env -i PATH="/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 ANSIBLE_NOCOLOR=1 \
    ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
    ansible-playbook -i "$inv" site.yml --syntax-check 2>&1)"
  rc=$?
  set -e
  # paths relative to the case, so the recording does not depend on where the checkout lives
  out="${out//$case\//}"
  printf '# %s -i %s site.yml --syntax-check\nrc %s\n%s\n' "$version" "$inv" "$rc" "$out" > "$case/ansible-says.txt"
  echo "recorded ansible's verdict on bad/$(basename "$case"): rc $rc"
done
