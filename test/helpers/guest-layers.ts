// What the guest tests compare before and after a run: every layer nm_team reads or writes on a
// guest. The profiles are read in one nmcli call (each nmcli start costs ~1.2 s on a TCG guest).

/** GUEST_LAYERS (sh) dumps a guest's profiles, teamd's config and state, its links, team0's address and the ports' carrier counters. */
export const GUEST_LAYERS = `nmcli -t -f connection.id,connection.uuid,connection.interface-name,connection.master,team.config,team-port.config,ipv4.method,ipv4.addresses,ipv4.gateway connection show $(nmcli -g UUID connection show | sort | sed 's/^/uuid /')
teamdctl team0 config dump actual; teamdctl team0 state dump
ip -j link | sed 's/"operstate":"[A-Z]*",//g'; ip -j addr show team0
for d in eth1 eth2 team0; do echo "$d carrier_changes $(cat /sys/class/net/$d/carrier_changes)"; done`;
