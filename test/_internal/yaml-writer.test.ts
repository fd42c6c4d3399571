import * as fs from 'node:fs';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { YamlWriter } from '../../src/_internal/yaml-writer';

// what cdk8s's Yaml.stringify passes to the yaml library (cdk8s@2.70.106:lib/yaml.js:47,76-78)
const CDK8S = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

// strings the YAML 1.1 schema reads as something else, indicators, document markers, multi-line and odd characters
const STRINGS = ['', '-', '- a', '---', '--- x', '...', 'a: b', 'a:b', '#x', 'a #b', ' x', 'x ', 'yes', 'No', 'on', 'OFF', 'y', 'n',
  'null', '~', 'true', '1', '1.0', '0x1F', '0o7', '017', '1_000', '1:20', '.inf', '-.inf', '.nan', '2001-12-14', '<<', '? x',
  '?', '|', '>', '!x', '&a', '*a', '%x', '@x', '`x', '"q"', "'q'", 'a\nb', 'a\n', '\n', '\t', 'x\ty', '[a]', '{a}', 'a,b', 'é',
  '\u0085', '\u2028', '💥', 'a'.repeat(1100), '=', 'GET /api/{id}', '/api/v1/[^/]*', 'registry.example.com/a:1.0.0', '0.0.0.0/0',
  '48h0m0s', '*', 'apps/v1'];
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, NaN, Infinity, -Infinity, 3000000000, 0.1];

/** A deterministic random document of maps, sequences and the values above. */
function randomDocument(next: (n: number) => number): Record<string, unknown> {
  const value = (depth: number): unknown => {
    const pick = next(depth > 3 ? 4 : 8);
    if (pick === 0 || pick === 3) return STRINGS[next(STRINGS.length)];
    if (pick === 1) return NUMBERS[next(NUMBERS.length)];
    if (pick === 2) return [true, false, null, undefined][next(4)];
    if (pick < 6) return Array.from({ length: next(4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: next(4) }, () => [STRINGS[next(STRINGS.length)], value(depth + 1)]));
  };
  return Object.fromEntries(Array.from({ length: next(5) + 1 }, () => [STRINGS[next(STRINGS.length)], value(0)]));
}

test('writes the documents of the committed output as the yaml library does with cdk8s\'s options', () => {
  const writer = new YamlWriter();
  const dist = path.join(__dirname, '..', '..', 'dist');
  const files = fs.readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.yaml'));
  const documents = files.flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8'), { version: '1.1' }).map(d => d.toJS()));
  expect(documents.length).toBeGreaterThan(30);
  for (const doc of documents) expect(writer.document(doc)).toBe(stringify(doc, CDK8S));
  expect(writer.documents([documents[0], undefined, documents[1]])).toBe(Yaml.stringify(documents[0], undefined, documents[1]));
});

test('writes tricky keys and scalars as the yaml library does', () => {
  let seed = 1;
  const next = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const writer = new YamlWriter();
  for (let i = 0; i < 3000; i++) {
    const doc = randomDocument(next);
    expect(writer.document(doc)).toBe(stringify(doc, CDK8S));
  }
});

test('writes a string of letters, digits, ., _, / and - as is only when the library does (the YAML 1.1 words are asked)', () => {
  // every string of up to three characters over an alphabet with each character class of the fast path, every
  // capitalization of the YAML 1.1 boolean and null words, and longer names
  const alphabet = ['a', 'N', 'o', 'Y', 'e', 's', 'l', 'u', '0', '9', '.', '_', '/', '-'];
  const strings = new Set<string>(alphabet);
  for (const a of alphabet) for (const b of alphabet) { strings.add(a + b); for (const c of alphabet) strings.add(a + b + c); }
  const words = ['yes', 'no', 'true', 'false', 'on', 'off', 'null', 'y', 'n'];
  for (const word of words) {
    for (let mask = 0; mask < 1 << word.length; mask++) strings.add([...word].map((ch, i) => (mask & (1 << i) ? ch.toUpperCase() : ch)).join(''));
  }
  for (const s of ['svc-9999', 'team-0', 'client-20.team-0.serviceaccount.identity.linkerd.cluster.local', 'apps/v1', 'a_b', 'Nope', 'offer', 'nullable', 'e1', 'E5', 'e-12', 'e1234', 'e1_0', 'e1.5', 'x.inf']) strings.add(s);
  const writer = new YamlWriter();
  for (const s of strings) expect([s, writer.document({ k: s })]).toStrictEqual([s, stringify({ k: s }, CDK8S)]);
});

test('leaves to the library what it writes over several lines, aliases and objects that are not plain', () => {
  const writer = new YamlWriter();
  const shared = { a: 1 };
  const cases: unknown[] = [
    { data: { script: 'line one\nline two\n' } },
    { spec: { first: shared, second: shared } },
    { spec: { when: new Date(0) } },
    { list: [1, , 3] },
    { ['k'.repeat(1100)]: 'long keys are explicit' },
    'a top-level scalar', [1, 2], {},
  ];
  for (const doc of cases) expect(writer.document(doc)).toBe(stringify(doc, CDK8S));
  expect(writer.document(cases[1])).toContain('&a1');
});
