#!/usr/bin/env bash
# Captures what ansible-playbook (the oracle) reports for site.yml on three local hosts, each
# with its own empty root directory: --check on unconverged hosts, first run, second run,
# --check on converged hosts. real-hosts.test.ts runs the same playbook over ssh with tsplay
# and compares the PLAY RECAP lines and exit codes. Run by hand: bash capture.sh
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r site.yml templates "$work/"
{
  echo '[test]'
  for h in h1 h2 h3; do mkdir -p "$work/$h"; echo "$h ansible_connection=local root=$work/$h"; done
} > "$work/inventory.ini"
mkdir -p expected
ansible-playbook --version | sed -n 1p > expected/VERSION
step() {
  local name=$1; shift
  set +e
  ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ansible-playbook -i "$work/inventory.ini" "$work/site.yml" "$@" > "expected/$name.txt" 2>/dev/null
  echo $? > "expected/$name.rc"
  set -e
  echo "$name: rc $(cat "expected/$name.rc")"
}
step check-unconverged --check
step first
step second
step check-converged --check
