/** Cidr is an IPv4 interface address split into the parts kickstart and libvirt XML spell out. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly netmask: string;
  readonly network: string;
  readonly broadcast: string;
}

const toInt = (ip: string): number | undefined => {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
};
const toDotted = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** parseCidr reads `192.168.10.5/24` (a bare address counts as /32); undefined when it is not IPv4 CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^\s*([0-9.]+)(?:\/(\d{1,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  const addr = toInt(m[1]!);
  const prefix = m[2] === undefined ? 32 : Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  const network = addr - (addr % 2 ** (32 - prefix));
  return {
    address: toDotted(addr),
    prefix,
    netmask: toDotted(mask),
    network: toDotted(network),
    broadcast: toDotted(network + 2 ** (32 - prefix) - 1),
  };
}

/** MAC_RE is the one MAC spelling tsplay accepts in data: six colon-separated hex pairs. */
export const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** macToDashes turns `52:54:00:AB:CD:EF` into `52-54-00-ab-cd-ef`, the spelling pxelinux.cfg file names use. */
export function macToDashes(mac: string): string | undefined {
  const m = mac.trim().toLowerCase();
  if (!/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/.test(m)) return undefined;
  return m.replace(/:/g, '-');
}
