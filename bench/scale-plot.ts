// Draws bench/scale.ts's no-change points as an SVG: wall time, peak RSS and peak open file
// descriptors of the tsplay process against the number of hosts, one panel each, linear axes (a
// straight line is constant cost per host; a leak would bend it upward).
//
//   node bench/scale-plot.ts bench/results/scale-<date>.json > bench/scale.svg
import { readFileSync } from 'node:fs';
import type { ScalePoint, ScaleResults } from './scale.ts';

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (p: ScalePoint) => number;
}

const PANELS: readonly Panel[] = [
  { title: 'wall time', unit: 's', value: (p) => p.wallS },
  { title: 'peak RSS (GNU time)', unit: 'MiB', value: (p) => p.maxRssKb / 1024 },
  { title: 'peak open fds', unit: 'fds', value: (p) => p.peakFds },
];
const W = 300;
const H = 220;
const M = { left: 48, right: 14, top: 34, bottom: 40 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** niceMax rounds an axis maximum up to 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v || 1));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

function panel(pts: readonly ScalePoint[], pn: Panel, x0: number): string {
  const xMax = niceMax(Math.max(...pts.map((p) => p.hosts)));
  const yMax = niceMax(Math.max(...pts.map(pn.value)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (h: number): number => x0 + M.left + (h / xMax) * pw;
  const sy = (v: number): number => M.top + ph - (v / yMax) * ph;
  const out: string[] = [`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(pn.title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const yv = (yMax * i) / 4;
    const xv = (xMax * i) / 4;
    out.push(
      `<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(yv)}" y2="${sy(yv)}" stroke="#ddd"/>`,
      `<text x="${sx(0) - 4}" y="${sy(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`,
      `<text x="${sx(xv)}" y="${sy(0) + 16}" text-anchor="middle">${fmt(xv)}</text>`,
    );
  }
  out.push(
    `<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(0)}" y2="${sy(0)}" stroke="#000"/>`,
    `<line x1="${sx(0)}" x2="${sx(0)}" y1="${sy(0)}" y2="${sy(yMax)}" stroke="#000"/>`,
    `<text x="${x0 + M.left + pw / 2}" y="${H - 6}" text-anchor="middle">hosts</text>`,
    `<text x="${x0 + 12}" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 12} ${M.top + ph / 2})">${esc(pn.unit)}</text>`,
    `<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="${pts.map((p) => `${sx(p.hosts).toFixed(1)},${sy(pn.value(p)).toFixed(1)}`).join(' ')}"/>`,
  );
  for (const p of pts) {
    const v = pn.value(p);
    out.push(`<circle cx="${sx(p.hosts).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="3" fill="#1f6feb"><title>${p.hosts} hosts: ${fmt(v)} ${esc(pn.unit)}</title></circle>`);
    if (p.hosts >= 50) out.push(`<text x="${(sx(p.hosts) - 4).toFixed(1)}" y="${(sy(v) - 7).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  return out.join('\n');
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/scale-plot.ts RESULTS.json > scale.svg\n');
  process.exit(2);
}
const res = JSON.parse(readFileSync(file, 'utf8')) as ScaleResults;
const pts = res.points.filter((p) => p.scenario === 'noop').sort((a, b) => a.hosts - b.hosts);
const width = W * PANELS.length;
const caption = `tsplay no-change run of bench/playbook/site.yml (31 tasks), -f = hosts, sshd hosts on loopback; ${res.date.slice(0, 16)}Z, load ${res.loadBefore.map((l) => l.toFixed(1)).join(' ')}`;
process.stdout.write(
  [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 24}" viewBox="0 0 ${width} ${H + 24}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...PANELS.map((pn, i) => panel(pts, pn, i * W)),
    `<text x="8" y="${H + 16}" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n'),
);
