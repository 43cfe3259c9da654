// Bundles the engine into dist/ for a faster start of bin/tsplay.js (`npm ci` runs it as the
// `prepare` script; `npm run bundle` by hand). Plain JS: it runs during `npm ci`, maybe under an
// old system Node. Why a bundle: Node spends about 0.35 ms resolving, reading and linking each
// of the ~290 modules a --syntax-check loads; one file skips that. It is CommonJS, run by
// dist/main.js (build/bundle-main.js) through vm.Script with a code cache of the functions a run
// called (Node's compile cache holds only top-level code).
//
// Two rewrites keep the bundle's behaviour that of the sources:
// - `import.meta.url` (and `.dirname`) in an engine file becomes that source file's URL (computed
//   from the bundle's own URL, so a moved checkout still works): the bounded regex worker, the
//   kickstart templates, the lab's role defaults and createRequire() of optional packages look for
//   files beside the source, as they do there.
// - modules/registry.ts require()s a module's file by a name from a table, which a bundler cannot
//   follow; in the bundle each entry gets a static require(), which esbuild wraps so that the
//   module's top level (its zod schema) still runs only when a task first names it.
//
// dist/manifest.json lists every input file with its size and mtime; bin/tsplay.js runs the bundle
// only when all of them still match, and the sources otherwise (an edit after `npm ci` is never
// silently ignored).
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// another folder only for test/cli/bundle.test.ts, which must not replace dist/ under running tests
const OUT = process.argv[2] ? resolve(process.argv[2]) : join(ROOT, 'dist');
// how a chunk's own URL leads back to the repository root (all chunks sit in OUT itself)
const UP = `${relative(OUT, ROOT).split('\\').join('/')}/`;
const REGISTRY = join(ROOT, 'engine/modules/registry.ts');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // a production install (`npm ci --omit=dev`) has no esbuild: tsplay runs its sources
  process.stderr.write('tsplay bundle: esbuild is not installed; tsplay will run its sources\n');
  process.exit(0);
}

/** @type {import('esbuild').Plugin} */
const sourcePaths = {
  name: 'source-paths',
  setup(build) {
    build.onLoad({ filter: /\/engine\/.*\.ts$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      const rel = relative(ROOT, args.path).split('\\').join('/');
      // createRequire(import.meta.url)(pkg) defers loading a package to its first use; as plain
      // require() esbuild bundles the package and still runs it only on that use
      text = text.replaceAll('createRequire(import.meta.url)', 'require');
      // `await import()` (not `typeof import()`, a type) of a package left outside the bundle (listr2, ESM) or of a Node builtin goes to
      // main.js's own import(): vm.Script's dynamic-import hook is experimental and warns on stderr
      text = text.replace(/\bawait import\((['"])(listr2|node:[a-z_/]+)\1\)/g, 'await __tsplayImport($1$2$1)');
      const url = `new URL(${JSON.stringify(`${UP}${rel}`)}, __bundleUrl)`;
      text = text.replaceAll('import.meta.url', `${url}.href`);
      text = text.replaceAll('import.meta.dirname', `require('node:path').dirname(require('node:url').fileURLToPath(${url}))`);
      // CommonJS has no top-level await: a file with one would fail the build, not run differently

      if (args.path === REGISTRY) {
        const files = [...text.matchAll(/file: '(\.\/[^']+\.ts)'/g)].map((m) => m[1]);
        const call = 'requireModule(f.file)';
        if (files.length === 0 || !text.includes(call)) throw new Error('registry.ts changed shape: update build/bundle.js');
        text = text.replace(call, '__bundledModules[f.file]()');
        text += `\nconst __bundledModules = {\n${files.map((f) => `  ${JSON.stringify(f)}: () => require(${JSON.stringify(f)}),`).join('\n')}\n};\n`;
      }
      return { contents: text, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

// commander requires node:child_process (~3 ms of each start) only to spawn executable
// subcommands, which tsplay never defines: in the bundle it loads on that first spawn
const COMMANDER_CHILD = "const childProcess = require('node:child_process');";
/** @type {import('esbuild').Plugin} */
const lazyCommanderChild = {
  name: 'lazy-commander-child',
  setup(build) {
    build.onLoad({ filter: /\/commander\/lib\/command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      // another commander version without this line: bundled as it is
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(COMMANDER_CHILD, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// Packages are bundled, ssh2 too (from node_modules, resolving and compiling its ~40 files took
// 45-60 ms of the first connection; in the bundle its functions are in the code cache). listr2
// (ESM, the terminal view) stays in node_modules and loads on first use as from the sources.
const EXTERNAL_PACKAGES = new Set(['listr2']);
/** @type {import('esbuild').Plugin} */
const externals = {
  name: 'externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return EXTERNAL_PACKAGES.has(name) ? { path: args.path, external: true } : undefined;
    });
  },
};

// A native addon (ssh2's crypto binding, cpu-features) cannot be bundled: its require() stays,
// with a path relative to the bundle, so it loads the file `npm ci` built, or fails where it did
// (both packages catch that and fall back to JavaScript).
/** @type {import('esbuild').Plugin} */
const nativeAddons = {
  name: 'native-addons',
  setup(build) {
    build.onResolve({ filter: /\.node$/ }, (args) => {
      const rel = relative(OUT, resolve(args.resolveDir, args.path)).split('\\').join('/');
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
    });
  },
};

// the manifest goes first: a tsplay started from now on runs the sources until the new one is written
rmSync(join(OUT, 'manifest.json'), { force: true });
const started = Date.now();
let result;
try {
  result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { tsplay: 'engine/cli/main.ts' },
    outdir: OUT,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    // one CommonJS file, run by main.js through vm.Script with a code cache written after the run
    // (see build/bundle-main.js); the subcommands' lazy import()s become lazy require()s in it
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    metafile: true,
    logLevel: 'warning',
    plugins: [externals, nativeAddons, sourcePaths, lazyCommanderChild],
  });
} catch (e) {
  rmSync(OUT, { recursive: true, force: true });
  // under `npm ci` a failed bundle must not fail the install: tsplay then runs its sources
  if (process.env.npm_lifecycle_event !== 'prepare') throw e;
  process.stderr.write(`tsplay bundle: not built (${e instanceof Error ? e.message : e}); tsplay will run its sources\n`);
  process.exit(0);
}

// A package's files count as its package.json: npm rewrites a package's folder when it changes
// it, and a start stats ~300 files instead of ~570.
const packageJson = (p) => {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(p);
  return m ? `${m[1]}/package.json` : p;
};
// The bundle's non-ASCII characters are in comments bundled packages kept (esbuild's default ASCII
// charset escapes the others). Written as `\u{...}` text there, the file is ASCII, which main.js
// reads as latin1 into a one-byte string instead of decoding UTF-8 into a two-byte one (~5% of a
// --syntax-check's CPU). Proof that the rewrite changed only comments: esbuild's whitespace
// minifier (comments dropped) prints the same program for the file before and after it.
const BUNDLE = join(OUT, 'tsplay.cjs');
const text = readFileSync(BUNDLE, 'utf8');
const NON_ASCII = /[^\0-\x7f]/gu;
const ascii = text.replace(NON_ASCII, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
if (ascii !== text) {
  const program = async (code) => (await esbuild.transform(code, { minifyWhitespace: true, format: 'cjs', platform: 'node', logLevel: 'silent' })).code;
  // otherwise the bundle stays as it is and main.js decodes it as UTF-8
  if ((await program(ascii)) === (await program(text))) writeFileSync(BUNDLE, ascii);
}
// the entry main.js is this folder's build/bundle-main.js, with the syntax check's result cache beside it
copyFileSync(join(ROOT, 'build/bundle-main.js'), join(OUT, 'main.js'));
copyFileSync(join(ROOT, 'build/syntax-cache.js'), join(OUT, 'syntax-cache.js'));
const inputs = [
  ...new Set([
    'build/bundle-main.js',
    'build/syntax-cache.js',
    ...Object.keys(result.metafile.inputs)
      .filter((p) => !p.includes(':'))
      .map(packageJson),
  ]),
].sort();
// chunks of an earlier build go after this one is complete (a tsplay already running may still
// import one it has not needed yet: a rebuild under a running tsplay is not supported)
const outputs = new Set([join(OUT, 'main.js'), join(OUT, 'syntax-cache.js'), ...Object.keys(result.metafile.outputs).map((p) => resolve(ROOT, p))]);
for (const f of readdirSync(OUT)) if (!outputs.has(join(OUT, f))) rmSync(join(OUT, f), { force: true });
const files = Object.fromEntries(
  inputs.map((p) => {
    const s = statSync(join(ROOT, p));
    return [p, [s.size, s.mtimeMs]];
  }),
);
// a source written while esbuild ran may have been read before the write: no manifest, no bundle
// (a second of slack for file systems with coarse mtimes; packages are left out, as `npm ci`
// writes them just before it runs this)
if (Object.entries(files).some(([p, [, mtimeMs]]) => !p.startsWith('node_modules/') && mtimeMs >= started - 1000)) {
  process.stderr.write('tsplay bundle: sources changed during the build; tsplay will run its sources (run `npm run bundle` again)\n');
  process.exit(0);
}
writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify({ files })}\n`);
process.stderr.write(`tsplay bundle: ${Object.keys(result.metafile.inputs).length} files into ${OUT}\n`);
