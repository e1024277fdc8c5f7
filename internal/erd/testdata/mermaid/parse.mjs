// Reads diagrams separated by a line "%%%%" from stdin; prints one line per diagram: ok or the error.
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });
let input = '';
for await (const chunk of process.stdin) input += chunk;
const diagrams = input.split('\n%%%%\n');
let bad = 0;
for (let i = 0; i < diagrams.length; i++) {
  try { await mermaid.parse(diagrams[i]); console.log(`${i} ok`); }
  catch (e) { bad++; console.log(`${i} error ${String(e.message || e).replace(/\n/g, ' | ')}`); }
}
process.exit(bad ? 1 : 0);
