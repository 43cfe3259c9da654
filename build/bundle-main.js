// dist/main.js (build/bundle.js copies this file there): runs the CommonJS bundle tsplay.cjs beside
// it, with a V8 code cache written after a successful run. Plain JS: it is the bundle's entry.
//
// Why not Node's compile cache alone: it saves a module's code cache right after compiling it,
// before it runs, so the cache holds only top-level code; every function a run calls is parsed
// and compiled again in every process (the zod, yaml and engine functions of a playbook load:
// ~40% of a --syntax-check's CPU). vm.Script's createCachedData() after the run holds them too.
// It is still only compiled code, keyed by the bundle's content: each run computes everything anew.
// Node's modules through getBuiltinModule, not ES imports: see bin/tsplay.js
const { closeSync, fstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { createRequire, getCompileCacheDir } = process.getBuiltinModule('node:module');
const { basename, dirname, join, resolve } = process.getBuiltinModule('node:path');
const { fileURLToPath } = process.getBuiltinModule('node:url');
const { Script } = process.getBuiltinModule('node:vm');
const { isAscii } = process.getBuiltinModule('node:buffer');

const FILE = fileURLToPath(new URL('tsplay.cjs', import.meta.url));
// the words engine/cli/main.ts runs as subcommands; a wrong guess costs only cache hits
const SUBCOMMANDS = new Set(['adhoc', 'doc', 'inventory', 'kickstart', 'lab']);
const LISTING = new Set(['--syntax-check', '--list-tasks', '--list-hosts', '--list-tags']);

// options whose value is a file that is not a playbook (the playbooks are the other *.yml arguments)
const FILE_OPTIONS = new Set(['-i', '--inventory', '--inventory-file', '-e', '--extra-vars', '--junit']);

/** playbookKey is a short hash of the playbook paths on the command line (resolved), or '' when there are none. */
function playbookKey(argv) {
  const books = argv.filter((a, i) => /\.ya?ml$/.test(a) && !FILE_OPTIONS.has(argv[i - 1] ?? ''));
  if (books.length === 0) return '';
  // FNV-1a: a collision only makes two playbooks share a cache, which V8 checks against the bundle anyway
  let h = 0x811c9dc5;
  for (const c of books.map((b) => resolve(b)).join('\0')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `-${h.toString(16).padStart(8, '0')}`;
}

/**
 * cachePaths names, in the directory Node chose for its own compile cache (per Node version;
 * NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns both off), this build's files:
 * `code`, the code cache for this command: one per kind of command (each kind calls other
 * functions: a syntax check's cache would leave a real run compiling its executor every time) and,
 * for a run or a check, per playbook (a cache written by a small playbook left site.yml compiling
 * the rest on every run: 1.19x the CPU of a --syntax-check, session 6); `beside(what)`, a file kept
 * for the whole build (parsed YAML, syntax-check results). Undefined without a compile cache directory.
 */
function cachePaths(stat, argv) {
  const dir = getCompileCacheDir();
  if (!dir) return undefined;
  const kind = SUBCOMMANDS.has(argv[0]) ? argv[0] : argv.some((a) => LISTING.has(a)) ? 'check' : 'run';
  // V8 itself checks only the source's length: the name also carries the file's identity and
  // mtime, which every build changes (as bin/fresh-bundle.js trusts for the sources; a content
  // hash would cost 3-4 ms per start)
  const build = join(dir, `tsplay-${stat.ino}-${stat.size}-${Math.round(stat.mtimeMs * 1000)}`);
  const perBook = kind === 'run' || kind === 'check' ? playbookKey(argv) : '';
  return { code: `${build}-${kind}${perBook}.bin`, kind, beside: (what) => `${build}-${what}.json` };
}

// A cache file is the CPU milliseconds of the run that wrote it (4 bytes) and V8's code cache.
// Why: the cache holds what that run compiled. A run of twice its CPU or more (site.yml after a
// one-task playbook) most likely called functions it lacks and writes it anew (~25 ms to write,
// and each rewrite doubles the bar); runs like the writer, which ran without a cache, never do.
const REWRITE_FACTOR = 2;

/** readCache returns the cache's writer CPU ms and V8 data, or undefined when absent, short or not this user's. */
function readCache(path) {
  if (!path) return undefined;
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s || (process.getuid && s.uid !== process.getuid())) return undefined;
  try {
    const buf = readFileSync(path);
    return buf.length > 4 ? { cpuMs: buf.readUInt32LE(0), data: buf.subarray(4) } : undefined;
  } catch {
    return undefined;
  }
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
};

// the code caches one build keeps per kind of command (one per playbook for runs and checks)
const CACHES_PER_KIND = 8;

/**
 * dropOlderBuilds removes every file an earlier build of this bundle (same inode) left beside
 * `path`, and the oldest code caches of `kind` (if given) beyond CACHES_PER_KIND. Called only
 * after a write: it reads the whole cache directory.
 */
function dropOlderBuilds(path, kind) {
  const dir = dirname(path);
  const [, ino, size, mtime] = basename(path).split('-');
  const same = [];
  for (const f of readdirSync(dir)) {
    const p = f.split('-');
    if (p[0] !== 'tsplay' || p[1] !== ino) continue;
    if (p[2] !== size || p[3] !== mtime) rmSync(join(dir, f), { force: true });
    else if (kind !== undefined && f.endsWith('.bin') && (p[4] === kind || p[4] === `${kind}.bin`)) same.push(f);
  }
  if (same.length <= CACHES_PER_KIND) return;
  const byAge = same.map((f) => ({ f, t: statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, same.length - CACHES_PER_KIND)) rmSync(join(dir, f), { force: true });
}

/** main runs the bundled engine/cli/main.ts's main. */
export async function main(argv) {
  const fd = openSync(FILE, 'r');
  const paths = cachePaths(fstatSync(fd), argv);
  const cache = paths?.code;
  // the other files kept for this build beside its code caches, by what they hold
  const besideCache = (what) => paths?.beside(what);
  // a syntax check's output, replayed while nothing it read has changed (syntax-cache.js says how)
  const results = argv.includes('--syntax-check') && !SUBCOMMANDS.has(argv[0]) && process.env.TSPLAY_NO_RESULT_CACHE !== '1' ? besideCache('results') : undefined;
  const syntaxCache = results ? await import('./syntax-cache.js') : undefined;
  let recording;
  if (syntaxCache) {
    const key = syntaxCache.resultKey(argv);
    if (syntaxCache.replay(results, key)) {
      closeSync(fd);
      return 0;
    }
    recording = syntaxCache.record(key, [dirname(results)]);
  }
  const bytes = readFileSync(fd);
  closeSync(fd);
  const cached = readCache(cache);
  // an ASCII file (build/bundle.js makes it one) read as latin1 is the same text as UTF-8, as a one-byte string
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __tsplayImport) {${source}\n})`, {
    filename: FILE,
    cachedData: cached?.data,
  });
  const mod = { exports: {} };
  // the bundle's import() of listr2 (ESM, kept in node_modules) and of builtins (build/bundle.js)
  script.runInThisContext()(mod.exports, createRequire(FILE), mod, FILE, dirname(FILE), (specifier) => import(specifier));
  // parsed YAML files, kept for this build of the bundle (engine/files/yaml-cache.ts says why a hit is the parse)
  const yamlCache = besideCache('yaml');
  mod.exports.useYamlCache(yamlCache);
  const code = await mod.exports.main(argv);
  const result = recording?.stop();
  if (result && code === 0) {
    try {
      syntaxCache.save(results, result);
      dropOlderBuilds(results);
    } catch {
      // as for the caches below: the next check runs in full
    }
  }
  if (yamlCache && code === 0) {
    try {
      // a readdir of the cache directory (hundreds of files) only when the file was written
      if (mod.exports.saveYamlCache()) dropOlderBuilds(yamlCache);
    } catch {
      // as for the code cache below: the next run parses again
    }
  }
  // a failed run may have stopped early and compiled little: only a successful one writes
  const cpu = cpuMs();
  if (cache && code === 0 && (cached === undefined || script.cachedDataRejected || cpu >= REWRITE_FACTOR * cached.cpuMs)) {
    try {
      const tmp = `${cache}.${process.pid}.tmp`;
      const header = Buffer.alloc(4);
      header.writeUInt32LE(Math.min(cpu, 0xffffffff));
      writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
      renameSync(tmp, cache); // whole or not at all for a tsplay starting meanwhile
      // the same kind's cache of an earlier build of this file is never used again
      dropOlderBuilds(cache, paths.kind);
    } catch {
      // a read-only or full cache directory: the next run compiles again, as without the cache
    }
  }
  return code;
}
