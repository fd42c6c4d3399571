import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { Finding, SourceObject } from '../../src/check/_types';

/** The folder of the check fixtures. */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'check');

/**
 * A small stand-in for the command's reader (src/check/read.ts, built at the same time): every document of a
 * multi-document YAML text with an apiVersion and a kind, a List's items in its place, each with the 1-based line
 * where its mapping starts.
 */
export function readYaml(text: string, file: string): SourceObject[] {
  const lines = new LineCounter();
  const objects: SourceObject[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    if ('errors' in doc && doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const contents = doc.contents;
    if (!isMap(contents)) continue;
    const object = contents.toJSON();
    if (typeof object?.apiVersion !== 'string' || typeof object?.kind !== 'string') continue;
    const items = contents.get('items', true);
    if (object.kind.endsWith('List') && isSeq(items)) {
      for (const item of items.items) {
        if (isMap(item)) objects.push({ object: item.toJSON(), file, line: lines.linePos(item.range![0]).line });
      }
      continue;
    }
    objects.push({ object, file, line: lines.linePos(contents.range![0]).line });
  }
  return objects;
}

/** Reads a fixture of test/fixtures/check by name. */
export function readFixture(name: string): SourceObject[] {
  const file = `test/fixtures/check/${name}`;
  return readYaml(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), file);
}

/** A finding as `severity rule line` (the line of the object it is about), for asserting findings compactly. */
export function brief(f: Finding): string {
  return `${f.severity} ${f.rule} ${f.source ? f.source.line : '-'}`;
}
