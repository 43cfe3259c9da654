#!/usr/bin/env node
// Why plain JS: this file must start on any Node to explain a too-old Node in one line,
// and it answers --version without loading the engine (startup budget: 150 ms).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `tsplay: Node ${process.versions.node} is too old; it needs Node >= 22.18 (runs .ts directly).\n` +
      `  Run it through npm (npx tsplay ...) after npm ci: the project's devDependency "node" brings Node 24.\n`,
  );
  process.exit(5);
}
const argv = process.argv.slice(2);
// Why getBuiltinModule and no `import ... from 'node:fs'` here or in fresh-bundle.js and the
// bundle's entry: an ES import of node:fs reads every export, which loads its streams, fs/promises
// and readline (~5 ms of each start); only the sources' run, whose files import node:fs, needs them.
const { readFileSync } = process.getBuiltinModule('node:fs');
if (argv.length === 1 && argv[0] === '--version') {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`tsplay ${pkg.version} (node ${process.versions.node})\n`);
  process.exit(0);
}
// Why: stripping types from ~100 .ts files and compiling zod/yaml dominates start-up; the
// cache (in the OS temp dir) cuts --syntax-check roughly in half on the second run.
process.getBuiltinModule('node:module').enableCompileCache();
// Why a bundle: resolving and linking the ~290 modules a playbook run loads costs more than their
// code; dist/ holds them as a few files, used only while it matches the sources (fresh-bundle.js).
const { freshBundle } = await import('./fresh-bundle.js');
const { main } = await import(freshBundle(new URL('../', import.meta.url)) ?? '../engine/cli/main.ts');
process.exitCode = await main(argv);
