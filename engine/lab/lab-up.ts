// `lab up`: what a datacenter provides before anyone runs tsplay — hypervisor machines reachable
// over ssh, the package source (the host's apt, with the packages installed), a base guest image on
// every hypervisor, and the keys. Nothing libvirt-level: daemons, networks, disks and guests are
// site.yml's. Every step is idempotent; on failure, everything this run created is torn down again
// (a lab that was already up before the call is left as it was).
import { ensureHvNamespace, netnsExists } from './hv-namespace.ts';
import { ensureHostAccounts } from './host-accounts.ts';
import { ensureHostPackages } from './host-packages.ts';
import { ensureImage, type BaseImage } from './image-build.ts';
import { placeImage } from './image-place.ts';
import { ensureLabKeys } from './keys.ts';
import { ensureSshd } from './hv-daemons.ts';
import { ensureRelay } from './relay-start.ts';
import { labDown } from './lab-down.ts';
import { needsTcAdaptation, probeTcFeatures, type TcFeatures } from './tc-features.ts';
import { HYPERVISORS } from './topology.ts';

/** UpReport holds what `lab up` did and how long it took. */
export interface UpReport {
  readonly image: BaseImage;
  readonly tc: TcFeatures;
  readonly adaptedTc: boolean;
  readonly seconds: number;
}

/** labUp builds what is missing and starts the hypervisors; resolves when each answers ssh through its relay. */
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
      log(`${hv.name}: namespace, sshd, relay 127.0.0.1:${hv.sshPort}, base image`);
      await ensureHvNamespace(hv, adaptedTc);
      await ensureSshd(hv);
      await ensureRelay(hv);
      await placeImage(hv, image);
    }
    return { image, tc, adaptedTc, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    if (!wasUp) {
      log('up failed: cleaning up what this run created');
      await labDown(() => undefined).catch(() => undefined);
    }
    throw e;
  }
}
