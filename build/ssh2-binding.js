// Makes ssh2's optional native crypto binding match the Node that runs tsplay (`npm ci` runs it
// in the `prepare` script, before the bundle). Plain JS, like bundle.js.
//
// Why: ssh2 builds its binding in its own install script, under whichever Node runs npm. On a
// machine whose npm runs under the system's Node 20 while tsplay runs under the `node` package's
// Node 24 (first on PATH for npm scripts and npx), the binding is built for 20 and fails to load
// ("Module did not self-register"). ssh2 then falls back to JavaScript ciphers that create a
// Cipheriv and a Decipheriv for every AES-GCM packet. `prepare` runs under Node 24, so it can
// rebuild the binding for itself. Only from headers already on disk (the `node` package ships
// them): node-gyp would otherwise download them from nodejs.org. Never fatal: without the
// binding ssh2 works as before, only slower.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const say = (m) => process.stderr.write(`tsplay ssh2 binding: ${m}\n`);

let cryptoDir;
try {
  cryptoDir = join(dirname(require.resolve('ssh2/package.json')), 'lib', 'protocol', 'crypto');
} catch {
  say('ssh2 is not installed; nothing to do');
  process.exit(0);
}

const loads = () => {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(cryptoDir, 'build', 'Release', 'sshcrypto.node'))})`], { encoding: 'utf8' });
  return r.status === 0;
};

if (loads()) process.exit(0);

// the headers of the running Node: <prefix>/include/node beside <prefix>/bin/node, or, for the
// `node` package (whose bin/node is a copy), in the platform package it installs
const platformPkg = `node-${process.platform}-${process.arch}`;
const candidates = [dirname(dirname(realpathSync(process.execPath)))];
for (const from of [join(dirname(dirname(process.execPath)), 'package.json'), import.meta.url]) {
  try {
    candidates.push(dirname(createRequire(from).resolve(`${platformPkg}/package.json`)));
  } catch {}
}
const prefix = candidates.find((dir) => headersVersion(dir) === process.version);
if (prefix === undefined) {
  say(`does not load under Node ${process.version} and no headers of that version are at ${candidates.map((d) => join(d, 'include/node')).join(', ')}; ssh2 uses its JavaScript ciphers`);
  process.exit(0);
}
const args = ['rebuild', `--target=${process.version}`, `--nodedir=${prefix}`, `--real_openssl_major=${/^\d+/.exec(process.versions.openssl)[0]}`];
const started = Date.now();
// npm names its own node-gyp in every script's environment; by hand, node-gyp must be on PATH
const gyp = process.env.npm_config_node_gyp;
// npm's own setting (here `nodedir=/usr`, the system Node's headers) reaches node-gyp as
// npm_config_nodedir and wins over --nodedir, so it is replaced
const opts = { cwd: cryptoDir, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: prefix } };
const r = gyp ? spawnSync(process.execPath, [gyp, ...args], opts) : spawnSync('node-gyp', args, opts);
if (r.status === 0 && loads()) {
  say(`rebuilt for Node ${process.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  say(`rebuild for Node ${process.version} failed (ssh2 uses its JavaScript ciphers):\n${`${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`.slice(-2000)}`);
}
process.exit(0);

function headersVersion(dir) {
  try {
    const h = readFileSync(join(dir, 'include', 'node', 'node_version.h'), 'utf8');
    const v = (name) => new RegExp(`#define ${name} (\\d+)`).exec(h)?.[1];
    return `v${v('NODE_MAJOR_VERSION')}.${v('NODE_MINOR_VERSION')}.${v('NODE_PATCH_VERSION')}`;
  } catch {
    return undefined;
  }
}
