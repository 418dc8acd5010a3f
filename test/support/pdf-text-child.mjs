// Prints the text of the PDF read from stdin as pdf-parse extracts it: {"total": pages, "text": "..."}. A plain
// Node child, because pdf.js loads its worker with a dynamic import, which jest's module sandbox does not allow.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { PDFParse } from 'pdf-parse';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
const result = await parser.getText();
await parser.destroy();
process.stdout.write(JSON.stringify({ total: result.total, text: result.text }));
