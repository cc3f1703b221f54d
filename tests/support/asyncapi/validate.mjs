// Parse AsyncAPI documents with the official parser; print each one's diagnostics as JSON.
// Usage: node validate.mjs <document.json>...
import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';

const parser = new Parser();
const results = {};
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(path, 'utf8'));
  results[path] = {
    parsed: document !== undefined,
    version: document?.version(),
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity, code: String(d.code), message: d.message, path: d.path.join('/'),
    })),
  };
}
console.log(JSON.stringify(results));
