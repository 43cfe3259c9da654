// build/syntax-cache.js, copied to dist/ beside main.js: the output of a successful
// `--syntax-check`, replayed by the next identical command while every file it touched is as it was.
//
// Why: a syntax check of an unchanged playbook (an editor's save hook, a pre-commit hook, CI)
// computes what the last one did; loading the engine alone costs 4-5 times Node's own start.
// Like `eslint --cache` or `tsc --incremental`, but keyed by content, not mtimes: the record holds
// every path the run looked at through node:fs (files by a SHA-256 of their bytes and their mode,
// directories by their entries and types, missing paths as missing), the command line, the
// working directory, the environment, Node's version and the terminal; a hit needs all of them
// equal. A run that wrote a file, started a process, read one that only its owner may read (a
// vault password, a key: no digest of it is kept), touched a path that changed while it ran, or
// failed is not recorded. TSPLAY_NO_RESULT_CACHE=1 turns it off.
// Plain JS, Node's modules through getBuiltinModule: see bin/tsplay.js.
const fs = process.getBuiltinModule('node:fs');
// this file's own reads and writes, taken before record() wraps fs's
const { readdirSync, readFileSync, renameSync, statSync, writeFileSync } = fs;
const childProcess = process.getBuiltinModule('node:child_process');
const { createHash } = process.getBuiltinModule('node:crypto');
const { resolve, sep } = process.getBuiltinModule('node:path');
const { fileURLToPath } = process.getBuiltinModule('node:url');
const { hostname } = process.getBuiltinModule('node:os');

const MAX_ENTRIES = 32;
// set by the shell per command or per nesting level; they say nothing a check reads
const VOLATILE_ENV = new Set(['_', 'OLDPWD', 'SHLVL']);

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** resultKey names the command: what besides the files decides its output. */
export function resultKey(argv) {
  const env = Object.entries(process.env)
    .filter(([k]) => !VOLATILE_ENV.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tty = [process.stdout, process.stderr].map((s) => [Boolean(s.isTTY), s.columns ?? 0]);
  return sha256(JSON.stringify([argv, process.cwd(), env, process.version, process.getuid?.(), hostname(), tty]));
}

const entryType = (d) => (d.isFile() ? 'f' : d.isDirectory() ? 'd' : d.isSymbolicLink() ? 'l' : 'o');

/** fingerprint is what a path holds now, or undefined for a path whose content may not be recorded. */
function fingerprint(path) {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'absent' : undefined;
  }
  const mode = (st.mode & 0o7777).toString(8);
  try {
    if (st.isDirectory()) {
      const names = readdirSync(path, { withFileTypes: true }).map((d) => `${d.name}/${entryType(d)}`);
      return `d ${mode} ${sha256(names.sort().join('\0'))}`;
    }
    // only files every user may read: the cache keeps no digest of a secret
    if (st.isFile() && st.mode & 0o004) return `f ${mode} ${st.size} ${sha256(readFileSync(path))}`;
  } catch {
    // unreadable now: not recordable
  }
  return undefined;
}

/** statSig tells whether a path changed between two moments (ctime moves with every write). */
function statSig(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.ino} ${st.size} ${st.mtimeMs} ${st.ctimeMs}` : 'absent';
}

/** readEntries returns the cache's entries, or [] when absent, damaged, or writable by others. */
function readEntries(file) {
  try {
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st || (process.getuid && st.uid !== process.getuid()) || st.mode & 0o022) return [];
    const entries = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(entries) ? entries : [];
  } catch {
    return [];
  }
}

/** replay writes the recorded output of this command and returns true when every recorded path still holds what it held. */
export function replay(file, key) {
  const entry = readEntries(file).find((e) => e && e.key === key);
  if (!entry || !Array.isArray(entry.paths) || !Array.isArray(entry.out)) return false;
  for (const [path, fp] of entry.paths) if (fingerprint(path) !== fp) return false;
  for (const [fd, b64] of entry.out) (fd === 2 ? process.stderr : process.stdout).write(Buffer.from(b64, 'base64'));
  return true;
}

// the calls that name a path to read, in node:fs's promise form; each also has a callback and a Sync form
const PROMISE_READS = ['readFile', 'readdir', 'stat', 'lstat', 'access', 'realpath', 'opendir', 'readlink'];
const READS = [...PROMISE_READS.flatMap((f) => [f, `${f}Sync`]), 'exists', 'existsSync', 'createReadStream'];
// calls after which a run is not replayed: writes, and patterns (they name no path to fingerprint)
const PROMISE_WRITES = [
  'writeFile',
  'appendFile',
  'mkdir',
  'mkdtemp',
  'rename',
  'rm',
  'rmdir',
  'unlink',
  'copyFile',
  'cp',
  'symlink',
  'link',
  'chmod',
  'chown',
  'lchown',
  'utimes',
  'lutimes',
  'truncate',
  'glob',
];
const WRITES = [...PROMISE_WRITES.flatMap((f) => [f, `${f}Sync`]), 'createWriteStream'];
const SPAWNS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
// O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND
const WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000;

/**
 * record watches the run from now: the paths it touches through node:fs, what it writes to
 * stdout and stderr. Its stop() undoes the watching and returns the entry for `key`, or
 * undefined when the run may not be replayed. `ignore` lists directories whose files are caches
 * of the tool itself (the code and YAML caches: they change no output).
 */
export function record(key, ignore) {
  const seen = new Map();
  const out = [];
  let tainted = false;
  // a stream's write may itself end in fs.writeSync: counted once, as the stream's
  let inStream = 0;
  const undo = [];
  const patch = (obj, name, wrap) => {
    const orig = obj[name];
    if (typeof orig !== 'function') return;
    const wrapped = wrap(orig);
    for (const k of Object.keys(orig)) wrapped[k] = orig[k]; // realpathSync.native
    obj[name] = wrapped;
    undo.push(() => {
      obj[name] = orig;
    });
  };
  const note = (p) => {
    if (typeof p === 'number') return;
    let path;
    try {
      path = resolve(p instanceof URL ? fileURLToPath(p) : String(p));
    } catch {
      tainted = true;
      return;
    }
    if (ignore.some((d) => path.startsWith(d + sep))) return;
    if (!seen.has(path)) seen.set(path, statSig(path));
  };
  const reading = (orig) =>
    function (p, ...rest) {
      note(p);
      return orig.call(this, p, ...rest);
    };
  const writing = (orig) =>
    function (...args) {
      tainted = true;
      return orig.apply(this, args);
    };
  for (const f of READS) patch(fs, f, reading);
  for (const f of PROMISE_READS) patch(fs.promises, f, reading);
  for (const f of WRITES) patch(fs, f, writing);
  for (const f of PROMISE_WRITES) patch(fs.promises, f, writing);
  for (const f of SPAWNS) patch(childProcess, f, writing);
  const opening = (orig) =>
    function (p, flags, ...rest) {
      note(p);
      if (!(flags === undefined || flags === null || flags === 'r' || flags === 'rs' || (typeof flags === 'number' && (flags & WRITE_FLAGS) === 0))) tainted = true;
      return orig.call(this, p, flags, ...rest);
    };
  patch(fs, 'openSync', opening);
  patch(fs, 'open', opening);
  patch(fs.promises, 'open', opening);
  // output through fs to the standard streams is output; to any other descriptor, a write
  const fdWriting = (orig) =>
    function (fd, data, ...rest) {
      if (inStream > 0) return orig.call(this, fd, data, ...rest);
      if (fd === 1 || fd === 2)
        out.push([fd, Buffer.from(typeof data === 'string' ? data : data.buffer ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : String(data)).toString('base64')]);
      else tainted = true;
      return orig.call(this, fd, data, ...rest);
    };
  patch(fs, 'writeSync', fdWriting);
  patch(fs, 'write', fdWriting);
  for (const [fd, stream] of [
    [1, process.stdout],
    [2, process.stderr],
  ]) {
    patch(
      stream,
      'write',
      (orig) =>
        function (chunk, encoding, ...rest) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk);
          out.push([fd, buf.toString('base64')]);
          inStream++;
          try {
            return orig.call(this, chunk, encoding, ...rest);
          } finally {
            inStream--;
          }
        },
    );
  }
  return {
    stop() {
      for (const u of undo.reverse()) u();
      if (tainted) return undefined;
      const paths = [];
      for (const [path, sig] of seen) {
        const fp = fingerprint(path);
        // changed while the run read it, or not recordable: the run's output may not match
        if (fp === undefined || statSig(path) !== sig) return undefined;
        paths.push([path, fp]);
      }
      return { key, paths, out };
    },
  };
}

/** save puts the entry first in the cache file (replacing one of the same key), keeping the newest MAX_ENTRIES. */
export function save(file, entry) {
  const entries = [entry, ...readEntries(file).filter((e) => e && e.key !== entry.key)].slice(0, MAX_ENTRIES);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entries), { mode: 0o600 });
  renameSync(tmp, file); // whole or not at all for a tsplay starting meanwhile
}
