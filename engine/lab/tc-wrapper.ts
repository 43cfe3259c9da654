// The `tc` wrapper bind-mounted over /usr/sbin/tc inside a hypervisor's mount namespace, only on
// hosts whose kernel lacks what libvirt's <bandwidth> uses (see tc-features.ts). libvirt keeps
// its own logic; only three kernel features are swapped for equivalents that exist here:
//   sfq leaf under htb 1:1        -> pfifo (fairness between flows is lost, the rate is kept)
//   fw filter on htb 1:           -> u32 match-all (htb's "default 1" sends everything to 1:1 anyway)
//   ingress u32 ... police rate R -> ifb device "ifb-<tap>" shaped by tbf rate R, fed by mirred redirect
// Every call is logged, so a test can show what libvirt asked for.

/** tcWrapperScript returns the bash wrapper; `realTc` is a copy of the real binary, `ip` the ip(8) path. */
export function tcWrapperScript(realTc: string, ip: string, log: string): string {
  return `#!/bin/bash
# tsplay lab: tc wrapper for a kernel without sch_sfq, cls_fw and act_police (see engine/lab/tc-wrapper.ts)
real=${JSON.stringify(realTc)}
ip=${JSON.stringify(ip)}
printf '%s\\n' "$*" >> ${JSON.stringify(log)}
args=("$@")
joined=" $* "
argafter() { local want=$1; shift; while [ $# -gt 0 ]; do if [ "$1" = "$want" ]; then echo "$2"; return; fi; shift; done; }
dev=$(argafter dev "$@")
if [[ $joined == *" qdisc add "* && $joined == *" sfq "* ]]; then
  out=(); for a in "\${args[@]}"; do [[ $a == sfq ]] && break; out+=("$a"); done
  exec "$real" "\${out[@]}" pfifo
fi
if [[ $joined == *" filter add "* && $joined == *" fw "* ]]; then
  out=(); n=\${#args[@]}
  for ((i = 0; i < n; i++)); do
    a=\${args[i]}
    if [[ $a == handle ]]; then i=$((i + 1)); continue; fi
    [[ $a == fw ]] && break
    out+=("$a")
  done
  exec "$real" "\${out[@]}" u32 match u32 0 0 flowid 1:1
fi
if [[ $joined == *" filter add "* && $joined == *" police "* ]]; then
  rate=$(argafter rate "$@")
  ifb="ifb-$dev"; ifb=\${ifb:0:15}
  "$ip" link del "$ifb" 2>/dev/null
  "$ip" link add name "$ifb" type ifb || exit 2
  "$ip" link set "$ifb" up || exit 2
  # tbf drops any packet larger than its bucket; the tap hands over GSO frames up to 64 KiB
  "$real" qdisc add dev "$ifb" root tbf rate "$rate" burst 96kb latency 400ms || exit 2
  exec "$real" filter add dev "$dev" parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev "$ifb"
fi
if [[ $joined == *" qdisc del "* && $joined == *" ingress "* && -n $dev ]]; then
  ifb="ifb-$dev"; "$ip" link del "\${ifb:0:15}" 2>/dev/null
fi
exec "$real" "$@"
`;
}
