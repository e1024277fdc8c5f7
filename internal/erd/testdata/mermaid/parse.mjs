// Reads Mermaid diagrams separated by a line "%%%%" from stdin and parses
// each with every Mermaid version installed beside this file; prints one
// line per diagram: "N ok" or "N error [version] message". Mermaid needs a
// DOM even to parse: jsdom provides one.
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const parsers = [];
for (const name of ['mermaid', 'mermaid10']) {
  const m = (await import(name)).default;
  m.initialize({ startOnLoad: false });
  parsers.push([name, m]);
}
let input = '';
for await (const chunk of process.stdin) input += chunk;
const diagrams = input.split('\n%%%%\n');
let bad = 0;
for (let i = 0; i < diagrams.length; i++) {
  let verdict = 'ok';
  for (const [name, m] of parsers) {
    try {
      await m.parse(diagrams[i]);
    } catch (e) {
      verdict = `error [${name}] ${String(e.message || e).replace(/\n/g, ' | ')}`;
      break;
    }
  }
  if (verdict !== 'ok') bad++;
  console.log(`${i} ${verdict}`);
}
process.exit(bad ? 1 : 0);
