#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (sshd, ansible as the oracle,
# libvirt/qemu for the lab). Idempotent and quick when everything is already there.
set -euo pipefail
PKGS=(openssh-server openssh-client ansible-core iproute2 iputils-ping procps psmisc sudo python3 libxml2-utils netcat-openbsd tmux)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The lab smoke test boots guests from a cached debootstrap image (/var/cache/tsplay-lab/<key>/):
# build it here, before ava's inactivity timeout applies (about 1 min on an idle machine, ~9 on a busy one).
node "$(dirname "$0")/../engine/lab/build-image-cli.ts"
