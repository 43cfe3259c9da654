#!/usr/bin/env bash
# Re-records the expected outputs of the inventory corpus from the real ansible-inventory / ansible.
#
#   test/inventory/corpus/<case>/args    line 1: the -i sources and an optional --playbook-dir
#                                        (space-separated words, relative
#                                        to the case directory; words with a comma are host lists);
#                                        more lines: extra flag sets, e.g. "--graph --vars"
#   -> expected.list.json, expected.graph.txt, expected.<flags>.{json,txt}
#   test/inventory/patterns/<case>/patterns.txt   one host pattern per line
#   -> expected.txt: "<pattern>\t<host> <host> ..." (or "\t!error" when ansible refuses the pattern)
#   test/inventory/broken/<case>/args   line 1: the -i sources
#   -> ansible-says.txt: ansible-inventory's warnings/errors for it (the `expected` file there holds
#      tsplay's codes and positions and is written by hand)
#
# With case names as arguments (`record.sh big-ints`), only those corpus cases are recorded.
#
# Ansible runs from an empty directory with a clean HOME and no ANSIBLE_* settings, so neither an
# ansible.cfg nor a group_vars/ in the current directory (a "playbook dir") can leak in, and
# warnings are switched off so that only the real output is recorded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/cwd"

ans() {
  (cd "$work/cwd" && env -i PATH="/usr/bin:/bin" HOME="$work/home" LANG=C.UTF-8 \
    ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
    ANSIBLE_NOCOLOR=1 "$@")
}

# slug turns "--graph --vars" into "graph-vars" and "--host web1" into "host-web1"
slug() { echo "$*" | sed -e 's/--//g' -e 's/ /-/g'; }

ansible-inventory --version | sed -e '/config file/d' -e '/configured module search path/d' \
  -e '/ansible collection location/d' -e '/executable location/d' -e '/ansible python module location/d' \
  > "$here/corpus/ANSIBLE_VERSION"

for dir in "$here"/corpus/*/; do
  case="${dir%/}"
  name="$(basename "$case")"
  if (($# > 0)) && [[ " $* " != *" $name "* ]]; then continue; fi
  rm -f "$case"/expected.*
  mapfile -t lines < "$case/args"
  read -ra words <<< "${lines[0]:-}"
  sources=()
  for ((k = 0; k < ${#words[@]}; k++)); do
    w="${words[$k]}"
    if [[ "$w" == -i || "$w" == --playbook-dir ]]; then
      v="${words[$((k + 1))]}"
      k=$((k + 1))
      if [[ "$v" != *,* ]]; then v="$case/$v"; fi
      sources+=("$w" "$v")
    fi
  done
  runs=("--list" "--graph" "${lines[@]:1}")
  for flags in "${runs[@]}"; do
    [[ -z "$flags" ]] && continue
    read -ra f <<< "$flags"
    ext=txt
    [[ "$flags" == --list* || "$flags" == --host* ]] && ext=json
    out="$case/expected.$(slug "$flags").$ext"
    if ! ans ansible-inventory "${sources[@]}" "${f[@]}" > "$out" 2> "$work/stderr"; then
      echo "FAILED: $name $flags" >&2
      cat "$work/stderr" >&2
      exit 1
    fi
    if [[ -s "$work/stderr" ]]; then
      echo "note: $name $flags wrote to stderr (not recorded):" >&2
      cat "$work/stderr" >&2
    fi
  done
  echo "recorded $name"
done

if (($# > 0)); then exit 0; fi

for dir in "$here"/patterns/*/; do
  case="${dir%/}"
  : > "$case/expected.txt"
  while IFS= read -r pat; do
    [[ -z "$pat" ]] && continue
    if ans ansible "$pat" -i "$case/inventory" --list-hosts > "$work/out" 2> "$work/stderr"; then
      hosts="$(tail -n +2 "$work/out" | sed -e 's/^ *//' | tr '\n' ' ' | sed -e 's/ *$//')"
    else
      hosts='!error'
    fi
    printf '%s\t%s\n' "$pat" "$hosts" >> "$case/expected.txt"
  done < "$case/patterns.txt"
  echo "recorded patterns $(basename "$case")"
done

for dir in "$here"/broken/*/; do
  case="${dir%/}"
  read -ra words < "$case/args"
  sources=()
  for ((k = 0; k < ${#words[@]}; k++)); do
    if [[ "${words[$k]}" == -i ]]; then sources+=(-i "$case/${words[$((k + 1))]}"); k=$((k + 1)); fi
  done
  # Ansible wraps its warnings at 80 columns: unwrap them so the case path can be cut out
  ans env ANSIBLE_INVENTORY_UNPARSED_WARNING=True ansible-inventory "${sources[@]}" --list 2>&1 >/dev/null \
    | python3 -c 'import re,sys; t=sys.stdin.read().replace("-\n","-").replace("\n"," "); t=re.sub(r" *(\[WARNING\]|ERROR!)", r"\n\1", t).strip(); print(t.replace(sys.argv[1] + "/", ""))' "$case" \
    > "$case/ansible-says.txt" || true
  echo "recorded ansible's verdict on broken/$(basename "$case")"
done
