// `lab up`: every step in order, each idempotent; on failure, everything this run created is
// torn down again (a lab that was already up before the call is left as it was).
import { ensureHvNamespace, netnsExists } from './hv-namespace.ts';
import { ensureHostAccounts } from './host-accounts.ts';
import { ensureHostPackages } from './host-packages.ts';
import { ensureImage, type BaseImage } from './image-build.ts';
import { ensureLabKeys } from './keys.ts';
import { ensureLibvirtd, ensureSshd } from './hv-daemons.ts';
import { ensureNetwork } from './libvirt-network.ts';
import { writeGuestDisks } from './guest-disks.ts';
import { defineAndStart, domainState } from './guest-domain.ts';
import { ensureRelay } from './relay-start.ts';
import { labDown } from './lab-down.ts';
import { waitForSsh } from './ssh-check.ts';
import { needsTcAdaptation, probeTcFeatures, type TcFeatures } from './tc-features.ts';
import { GUESTS, HYPERVISORS } from './topology.ts';

/** UpReport holds what `lab up` did and how long each part took. */
export interface UpReport {
  readonly image: BaseImage;
  readonly tc: TcFeatures;
  readonly adaptedTc: boolean;
  readonly seconds: number;
  readonly guestBootSeconds: Readonly<Record<string, number>>;
}

/** labUp builds what is missing and starts the whole lab; resolves when every guest answers ssh. */
export async function labUp(log: (m: string) => void): Promise<UpReport> {
  const t0 = Date.now();
  const wasUp = (await Promise.all(HYPERVISORS.map((h) => netnsExists(h.netns)))).some(Boolean);
  try {
    await ensureHostPackages(log);
    await ensureHostAccounts();
    const image = await ensureImage(log);
    log(image.built ? `image: built ${image.dir} in ${image.seconds.toFixed(0)} s` : `image: cached ${image.dir}`);
    await ensureLabKeys();
    const tc = await probeTcFeatures();
    const adaptedTc = needsTcAdaptation(tc);
    if (adaptedTc && !tc.ifbRedirect) log('tc: kernel lacks sfq/fw/police AND ifb redirect: <bandwidth> on guests will fail');
    else if (adaptedTc) log('tc: kernel lacks sfq/fw/police; a tc wrapper adapts libvirt inside the hypervisor namespaces');
    for (const hv of HYPERVISORS) {
      log(`${hv.name}: namespace, sshd, relay 127.0.0.1:${hv.sshPort}, virtlogd, libvirtd, network`);
      await ensureHvNamespace(hv, adaptedTc);
      await ensureSshd(hv);
      await ensureRelay(hv);
      await ensureLibvirtd(hv);
      await ensureNetwork(hv);
    }
    const boot: Record<string, number> = {};
    await Promise.all(
      GUESTS.map(async (g) => {
        if ((await domainState(g)) === 'running') return;
        log(`${g.name}: fresh overlay + seed disk, define, start`);
        const files = await writeGuestDisks(g, image);
        await defineAndStart(g, image, files);
        boot[g.name] = await waitForSsh(g.name, 300_000);
        log(`${g.name}: ssh ready after ${boot[g.name]?.toFixed(0)} s`);
      }),
    );
    return { image, tc, adaptedTc, seconds: (Date.now() - t0) / 1000, guestBootSeconds: boot };
  } catch (e) {
    if (!wasUp) {
      log('up failed: cleaning up what this run created');
      await labDown(() => undefined).catch(() => undefined);
    }
    throw e;
  }
}
