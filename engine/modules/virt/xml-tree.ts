// One XML tree shape for libvirt documents: every element is an array of nodes, attributes
// are "@name" strings, text is "#text". Parsing and building go through fast-xml-parser, so
// values are escaped by the library and never spliced into markup by hand.
import { createRequire } from 'node:module';
import type { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** XNode is one element: attributes ("@a"), text ("#text") and child element lists. */
export type XNode = { [key: string]: string | XNode[] | undefined };

// Why required on first use: fast-xml-parser is some 25 files that every start would load (the
// module registry imports this file), and only a virt task ever parses XML
let lib: { parser: XMLParser; builder: XMLBuilder } | undefined;
function xmlLib(): { parser: XMLParser; builder: XMLBuilder } {
  if (lib) return lib;
  const { XMLBuilder, XMLParser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseAttributeValue: false,
    parseTagValue: false,
    textNodeName: '#text',
    alwaysCreateTextNode: true,
    trimValues: true,
    isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', format: true, suppressEmptyNode: true });
  lib = { parser, builder };
  return lib;
}

/** parseXmlRoot parses a document and returns its root element named `root`, or undefined. */
export function parseXmlRoot(text: string, root: string): XNode | undefined {
  const doc = xmlLib().parser.parse(text) as Record<string, unknown>;
  const r = doc[root];
  return Array.isArray(r) ? (r[0] as XNode) : undefined;
}

/** buildXml serialises one element as a document `<name>…</name>`. */
export function buildXml(name: string, node: XNode): string {
  return `${(xmlLib().builder.build({ [name]: [node] }) as string).trim()}\n`;
}

/** kids returns the child elements called `name` (empty when there are none). */
export function kids(node: XNode | undefined, name: string): XNode[] {
  const v = node?.[name];
  return Array.isArray(v) ? v : [];
}

/** kid returns the first child element called `name`. */
export function kid(node: XNode | undefined, name: string): XNode | undefined {
  return kids(node, name)[0];
}

/** attr returns an attribute's value. */
export function attr(node: XNode | undefined, name: string): string | undefined {
  const v = node?.[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** textOf returns an element's text ('' when it has none). */
export function textOf(node: XNode | undefined): string {
  const v = node?.['#text'];
  return typeof v === 'string' ? v : '';
}

/** clone deep-copies a tree so normalising never touches the caller's copy. */
export function clone(node: XNode): XNode {
  return structuredClone(node);
}

/** isEmpty is true for an element with no attributes, no text and no children. */
export function isEmpty(node: XNode): boolean {
  return Object.entries(node).every(([k, v]) => (k === '#text' ? v === '' : Array.isArray(v) ? v.length === 0 : v === undefined));
}

/**
 * flatten turns a tree into "path = value" pairs (`bridge@name`, `ip[1]@prefix`, `name#text`)
 * so two trees compare key by key and a difference names what changed.
 */
export function flatten(node: XNode, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (n: XNode, p: string): void => {
    let leaf = true;
    for (const [k, v] of Object.entries(n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (v === undefined) continue;
      if (typeof v === 'string') {
        if (k === '#text' && v === '') continue;
        out.set(`${p}${k.startsWith('@') || k === '#text' ? k : `/${k}`}`, v);
        leaf = false;
      } else {
        v.forEach((c, i) => walk(c, `${p}/${k}${v.length > 1 ? `[${i + 1}]` : ''}`));
        if (v.length > 0) leaf = false;
      }
    }
    if (leaf && p !== '') out.set(p, '');
  };
  walk(node, prefix);
  return out;
}
