import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..', 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? sources(path.join(dir, e.name))
    : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

// House style: every optional prop of a Props/Options struct documents its default (cdk8s-plus drifted without a check).
test('every optional prop of an XProps or XOptions interface has a JSDoc @default', () => {
  const missing: string[] = [];
  for (const file of sources(SRC)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let struct: string | undefined;
    lines.forEach((line, i) => {
      const opened = /^export interface (\w+)/.exec(line);
      if (opened) struct = /(Props|Options)$/.test(opened[1]) ? opened[1] : undefined;
      const prop = /^ {2}readonly (\w+)\?:/.exec(line);
      if (!struct || !prop) return;
      const docEnd = lines[i - 1]?.trim() === '*/' ? i - 1 : -1;
      const docStart = lines.slice(0, docEnd).map(l => l.trim()).lastIndexOf('/**');
      const doc = docEnd < 0 ? '' : lines.slice(docStart, docEnd).join('\n');
      if (!doc.includes('@default')) missing.push(`${path.relative(SRC, file)}:${i + 1} ${struct}.${prop[1]}`);
    });
  }
  expect(missing).toStrictEqual([]);
});
