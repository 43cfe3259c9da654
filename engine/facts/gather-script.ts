/**
 * GATHER_SCRIPT is the one fixed /bin/sh script that reads every fact in a single round trip.
 * Each section starts with a `@@name` marker line so the parser can split them.
 * Why /etc/hosts and not `hostname -f`: resolving the FQDN may ask a DNS server, and facts
 * must not send traffic or hang on a lab host whose resolver is not up yet.
 * Why /proc/net/route and not `ip route get 8.8.8.8`: it needs no route lookup towards the Internet.
 */
export const GATHER_SCRIPT = [
  "echo '@@hostname'; uname -n",
  "echo '@@hosts'; cat /etc/hosts 2>/dev/null",
  "echo '@@kernel'; uname -r",
  "echo '@@arch'; uname -m",
  "echo '@@os-release'; cat /etc/os-release 2>/dev/null",
  "echo '@@debian-version'; cat /etc/debian_version 2>/dev/null",
  "echo '@@redhat-release'; cat /etc/redhat-release 2>/dev/null",
  "echo '@@route'; cat /proc/net/route 2>/dev/null",
  "echo '@@addr'; ip -o -4 addr show 2>/dev/null",
  // `[ -e ]` guards the glob matching nothing; printf keeps one "name mac" pair per line
  'echo \'@@mac\'; for d in /sys/class/net/*; do [ -e "$d/address" ] && printf \'%s %s\\n\' "${d##*/}" "$(cat "$d/address")"; done',
  "echo '@@end'",
  'exit 0',
].join('\n');
