#!/usr/bin/env bash
# Records what ansible-core's own parse_kv (check_raw for command/shell, as its ModuleArgsParser
# does) makes of every string in cases.yaml: the oracle for kv.test.ts.
set -euo pipefail
cd "$(dirname "$0")"
ansible --version | sed -n 1p > VERSION
/usr/bin/python3 - <<'PY'
import json, yaml
from ansible.parsing.splitter import parse_kv
cases = yaml.safe_load(open('cases.yaml'))
out = [parse_kv(text, check_raw=mod in ('command', 'shell')) for mod, text in cases]
json.dump(out, open('expected.json', 'w'), indent=1, ensure_ascii=False)
PY
