// Detects which tc pieces libvirt's <bandwidth> needs this host kernel actually has, by trying
// them in a scratch network namespace (this kernel cannot load modules, so "modprobe" proves nothing).
import { mustRun, runTool } from './lab-host.ts';

/** TcFeatures says which kernel tc features work here. */
export interface TcFeatures {
  /** sch_sfq: the leaf libvirt puts under htb class 1:1 */
  readonly sfq: boolean;
  /** cls_fw: the filter libvirt attaches to htb 1: */
  readonly fw: boolean;
  /** act_police: what libvirt uses to limit a guest's outbound on the tap's ingress */
  readonly police: boolean;
  /** the ifb link type + act_mirred + sch_tbf: the replacement for police */
  readonly ifbRedirect: boolean;
}

/** needsTcAdaptation is true when libvirt's own tc commands would fail on this kernel. */
export function needsTcAdaptation(f: TcFeatures): boolean {
  return !(f.sfq && f.fw && f.police);
}

const SCRATCH = 'tsplay-tcprobe';

/** probeTcFeatures tries each feature on a veth pair in a throwaway namespace, then removes it. */
export async function probeTcFeatures(): Promise<TcFeatures> {
  await runTool(['ip', 'netns', 'del', SCRATCH]);
  await mustRun('tc-probe', ['ip', 'netns', 'add', SCRATCH]);
  try {
    const ip = (...a: string[]): Promise<unknown> => mustRun('tc-probe', ['ip', '-n', SCRATCH, ...a]);
    await ip('link', 'add', 'name', 'pa', 'type', 'veth', 'peer', 'name', 'pb');
    await ip('link', 'set', 'pa', 'up');
    await ip('link', 'set', 'pb', 'up');
    const tc = async (...a: string[]): Promise<boolean> => (await runTool(['ip', 'netns', 'exec', SCRATCH, 'tc', ...a])).rc === 0;
    await tc('qdisc', 'add', 'dev', 'pa', 'root', 'handle', '1:', 'htb', 'default', '1');
    await tc('class', 'add', 'dev', 'pa', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '1mbit');
    const sfq = await tc('qdisc', 'add', 'dev', 'pa', 'parent', '1:1', 'handle', '2:', 'sfq', 'perturb', '10');
    const fw = await tc('filter', 'add', 'dev', 'pa', 'parent', '1:0', 'protocol', 'all', 'prio', '1', 'handle', '1', 'fw', 'flowid', '1');
    await tc('qdisc', 'add', 'dev', 'pa', 'ingress');
    const police = await tc(
      'filter',
      'add',
      'dev',
      'pa',
      'parent',
      'ffff:',
      'protocol',
      'all',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'police',
      'rate',
      '1mbit',
      'burst',
      '10kb',
      'mtu',
      '64kb',
      'drop',
      'flowid',
      ':1',
    );
    const ifb = (await runTool(['ip', '-n', SCRATCH, 'link', 'add', 'name', 'pifb', 'type', 'ifb'])).rc === 0;
    const ifbRedirect =
      ifb &&
      (await tc('qdisc', 'add', 'dev', 'pifb', 'root', 'tbf', 'rate', '1mbit', 'burst', '10kb', 'latency', '100ms')) &&
      (await tc('qdisc', 'add', 'dev', 'pb', 'ingress')) &&
      (await tc('filter', 'add', 'dev', 'pb', 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'pifb'));
    return { sfq, fw, police, ifbRedirect };
  } finally {
    await runTool(['ip', 'netns', 'del', SCRATCH]);
  }
}
