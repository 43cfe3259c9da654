import { z } from 'zod';
import { MAC_RE } from '../../template/ipaddr.ts';
import { parseDomiflist, virshArgv } from '../../probes/virsh.ts';
import { classProbe, filterArgv, qdiscArgv } from '../../probes/tc.ts';
import { moduleArgs } from '../support/args.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ModuleDef } from '../types.ts';
import { planBandwidth, type BandwidthCurrent } from './bandwidth-plan.ts';
import { runSteps } from './run-steps.ts';
import type { VirtPayload } from './steps.ts';

// libvirt's <bandwidth> limits: unsigned, average required when a direction is given.
const rate = z
  .number()
  .int()
  .positive()
  .max(2 ** 32 - 1);
const side = z
  .strictObject({ average: rate, peak: rate.optional(), burst: rate.optional() })
  .refine((s) => s.peak === undefined || s.peak >= s.average, { message: 'peak must be at least average', path: ['peak'] });

const schema = moduleArgs(
  {
    domain: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/, 'a libvirt domain name: letters, digits, _ . + -'),
    mac: z.string().regex(MAC_RE, 'a MAC address: six hex pairs with colons, e.g. 52:54:00:12:34:56'),
    /** a guest NIC's `bandwidth` as the guest description writes it; a missing direction = no limit */
    bandwidth: z.strictObject({ inbound: side.optional(), outbound: side.optional() }),
  },
  { required: ['domain', 'mac'] },
);
type Args = z.output<typeof schema>;

const ok = (r: { rc: number; stdout: string }): string | null => (r.rc === 0 ? r.stdout : null);

/** virtNicBandwidthModule shapes one guest interface (found by MAC) with domiftune, checking config, live values and tc on the tap. */
export const virtNicBandwidthModule: ModuleDef<Args, BandwidthCurrent, VirtPayload> = {
  name: 'virt_nic_bandwidth',
  doc: 'Shape a guest interface (by MAC) like libvirt <bandwidth>: domiftune --live --config; repairs live/config/tc half-applied states.',
  classes: ['live', 'config'],
  schema,
  async read(ctx, args) {
    const opts = taskOpts(ctx);
    const mac = args.mac.toLowerCase();
    const [state, inactive, iflist, tune] = await ctx.conn.batch(
      [virshArgv('domstate', '--reason', args.domain), virshArgv('dumpxml', '--inactive', args.domain), virshArgv('domiflist', args.domain), virshArgv('domiftune', args.domain, mac, '--live')],
      opts,
    );
    const iflistText = ok(iflist!);
    const tap = iflistText === null ? null : (parseDomiflist({ rc: 0, stdout: iflistText, stderr: '' }).find((i) => i.mac === mac)?.target ?? null);
    let tc: BandwidthCurrent['tc'] = null;
    if (tap !== null) {
      const [q, c, fr, fi] = await ctx.conn.batch([qdiscArgv(tap), classProbe(tap).argv, filterArgv(tap, '1:'), filterArgv(tap, 'ffff:')], opts);
      // no htb/ingress on the tap makes `tc filter show parent` fail: that is an empty list
      tc = { qdisc: ok(q!) ?? '', class: ok(c!) ?? '', filterRoot: ok(fr!) ?? '', filterIngress: ok(fi!) ?? '' };
    }
    return { domstate: ok(state!), inactive: ok(inactive!), domiflist: iflistText, domiftune: ok(tune!), tc };
  },
  plan(args, current) {
    return planBandwidth(args.domain, args.mac, args.bandwidth ?? {}, current);
  },
  async apply(ctx, args, plan) {
    return runSteps(ctx, `${args.domain} ${args.mac.toLowerCase()}`, plan.payload?.steps ?? []);
  },
};
