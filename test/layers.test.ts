// The folders of engine/ stack in layers: a file may import its own folder or a strictly lower layer,
// never a higher one or a sibling in its own layer. Why this order (top first):
//   cli        parses argv and wires everything below; nothing imports it
//   kickstart, lab   separate tools the CLI starts: inventory + templates, and qemu/libvirt
//   output     reporters subscribe to the executor's events
//   executor   runs plays; it loads include_tasks/include_role per host at run time, so it calls the loader
//   loader     reads playbooks into the play model; checks module names and arguments against modules/
//   modules    the module implementations, run over a connection
//   facts, probes   read remote state over a connection
//   guest      the one guest description (schema, teamd JSON, bond mapping) that kickstart and modules share
//   template   Handlebars and the condition language (Expr's home), over inventory variables
//   inventory  hosts, groups and their variables
//   connection ssh/local transports
//   files      controller file/YAML reading (YAML ints beyond 2^53 come back exact, through py)
//   py         Python-compatible ports (repr, json, shlex, fnmatch, literal_eval, re): Ansible's semantics
//   errors     TsplayError and diagnostics
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['kickstart', 'lab'],
  ['output'],
  ['executor'],
  ['loader'],
  ['modules'],
  ['facts', 'probes', 'guest'],
  ['template'],
  ['inventory'],
  ['connection'],
  ['files'],
  ['py'],
  ['errors'],
];

const ENGINE = fileURLToPath(new URL('../engine/', import.meta.url));
const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

// static imports and re-exports (possibly over several lines), side-effect imports, dynamic import()
const IMPORT = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** Edge is one relative import from an engine file to a file in another engine folder. */
interface Edge {
  readonly from: string;
  readonly to: string;
}

function crossFolderImports(): Edge[] {
  const out: Edge[] = [];
  for (const file of tsFiles(ENGINE)) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), (m[1] ?? m[2] ?? m[3])!));
      const from = relative(ENGINE, file);
      const to = relative(ENGINE, target);
      if (from.split('/')[0] !== to.split('/')[0]) out.push({ from, to });
    }
  }
  return out;
}

const folderOf = (p: string): string => p.split('/')[0]!;

test('every engine folder has a place in the layer order', (t) => {
  const folders = readdirSync(ENGINE, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  t.deepEqual(
    folders.filter((f) => !layerOf.has(f)),
    [],
  );
});

test('the scanner sees cross-folder imports (loader reads errors and the play model reads template)', (t) => {
  const edges = crossFolderImports();
  t.true(edges.some((e) => folderOf(e.from) === 'loader' && folderOf(e.to) === 'errors'));
  t.true(edges.some((e) => e.from === 'loader/types.ts' && e.to.startsWith('template/')));
});

test('no engine file imports from its own layer or a higher one', (t) => {
  const upward = crossFolderImports().filter((e) => {
    const a = layerOf.get(folderOf(e.from));
    const b = layerOf.get(folderOf(e.to));
    return a !== undefined && b !== undefined && b <= a;
  });
  t.deepEqual(
    upward.map((e) => `${e.from} -> ${e.to}`),
    [],
  );
});
