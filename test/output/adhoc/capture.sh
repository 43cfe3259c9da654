#!/bin/bash
# Captures what `ansible` (ad-hoc) prints for each line of cases.txt into expected/NAME.{stdout,stderr,rc}.
# h1 and h2 are local connections here; adhoc.test.ts runs tsplay on real sshd hosts of the same names.
set -u
cd "$(dirname "$0")"
mkdir -p expected
printf 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\nh2 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' > expected/inventory.ini
ansible --version | head -1 > expected/VERSION
grep -v '^#' cases.txt | while IFS='|' read -r name args; do
  name=$(echo "$name" | xargs)
  eval "ANSIBLE_NOCOLOR=1 ANSIBLE_FORKS=1 ansible -i expected/inventory.ini $args" > "expected/$name.stdout" 2> "expected/$name.stderr"
  echo $? > "expected/$name.rc"
done
