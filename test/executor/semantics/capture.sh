#!/usr/bin/env bash
# Re-captures what ansible-playbook prints for every case in cases.txt (the oracle for
# semantics.test.ts). Run by hand after changing a playbook:  bash capture.sh [case]
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p expected
ansible-playbook --version | sed -n 1p > expected/VERSION
only="${1:-}"
grep -v '^#' cases.txt | while IFS='|' read -r name pb args inv; do
  trim() { local v="$1"; v="${v#"${v%%[![:space:]]*}"}"; printf '%s' "${v%"${v##*[![:space:]]}"}"; }
  name=$(trim "$name"); pb=$(trim "$pb"); args=$(trim "$args"); inv=$(trim "${inv:-}")
  # inventory column: -i sources (default inventory.ini); "-" runs without -i (implicit localhost only)
  invargs=""
  for i in ${inv:-inventory.ini}; do [ "$i" = - ] || invargs="$invargs -i $i"; done
  [ -z "$name" ] && continue
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  set +e
  # shellcheck disable=SC2086
  ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 \
    ansible-playbook $invargs "$pb" $args > "expected/$name.txt" 2>/dev/null
  echo $? > "expected/$name.rc"
  set -e
  echo "$name: rc $(cat expected/$name.rc)"
done
