import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, LineCounter, parseAllDocuments } from 'yaml';
import { readInputs } from '../../src/check/read';

describe('check reads files and folders', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-read-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  const where = (r: ReturnType<typeof readInputs>) => r.objects.map(o => `${o.file}:${o.line} ${o.object.kind} ${o.object.metadata?.name}`);

  test('every document of a multi-document file, at the line of its first key (after --- and comments)', () => {
    write('a.yaml', [
      '# leading comment', '---', 'apiVersion: v1', 'kind: Namespace', 'metadata: {name: one}',
      '---', '', '# a comment before', 'apiVersion: v1 # trailing', 'kind: Namespace', 'metadata:', '  name: two',
      '---', '---', '...',
    ].join('\n'));
    const r = readInputs(['a.yaml'], dir);
    expect(where(r)).toStrictEqual(['a.yaml:3 Namespace one', 'a.yaml:9 Namespace two']);
    expect([...r.notes, ...r.unusable]).toStrictEqual([]);
    // the same with Windows line endings
    write('crlf.yaml', fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8').replace(/\n/g, '\r\n'));
    expect(where(readInputs(['crlf.yaml'], dir))).toStrictEqual(['crlf.yaml:3 Namespace one', 'crlf.yaml:9 Namespace two']);
  });

  test('a List gives its items, each at its own line, and notes the items that are not objects', () => {
    write('list.yaml', [
      'apiVersion: v1', 'kind: List', 'items:', '- apiVersion: v1', '  kind: ConfigMap', '  metadata: {name: a}',
      '- 42', '- apiVersion: v1', '  kind: ServiceList', '  metadata: {name: b}',
    ].join('\n'));
    const r = readInputs(['list.yaml'], dir);
    expect(where(r)).toStrictEqual(['list.yaml:4 ConfigMap a', 'list.yaml:8 ServiceList b']);
    expect(r.notes.map(n => `${n.location!.line} ${n.message}`)).toStrictEqual(['7 skipped: List items[1]: a number, not a Kubernetes object']);
  });

  test('folders recursively, in name order, .yaml/.yml/.json only, without dot-folders, node_modules and Helm chart templates', () => {
    write('b/z.yml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: z}\n');
    write('b/a.json', '{"apiVersion": "v1", "kind": "Namespace",\n "metadata": {"name": "j"}}\n');
    write('a.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    write('README.md', '# not read\n');
    write('.git/config.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: hidden}\n');
    write('node_modules/x/package.json', '{"name": "x"}\n');
    write('chart/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
    write('chart/templates/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n');
    write('chart/values.yaml', 'replicas: 2\n');
    const progress: string[] = [];
    const r = readInputs(['.'], dir, (done, total) => progress.push(`${done}/${total}`));
    expect(where(r)).toStrictEqual(['a.yaml:1 Namespace a', 'b/a.json:1 Namespace j', 'b/z.yml:1 Namespace z']);
    expect(r.files.map(f => f.file)).toStrictEqual(['a.yaml', 'b/a.json', 'b/z.yml', 'chart/Chart.yaml', 'chart/values.yaml']);
    expect(r.notes.map(n => `${n.location!.file}:${n.location!.line} ${n.rule}: ${n.message}`)).toStrictEqual([
      'chart/templates:1 input/helm-templates: skipped: the templates of a Helm chart are not YAML until rendered; check the output of `helm template` instead',
      'chart/Chart.yaml:1 input/not-kubernetes: skipped: not a Kubernetes object (no apiVersion and kind)',
      'chart/values.yaml:1 input/not-kubernetes: skipped: not a Kubernetes object (no apiVersion and kind)',
    ]);
    expect(progress).toStrictEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    expect(r.unusable).toStrictEqual([]);
  });

  test('a file named on the command line is read whatever its ending; a missing path is unusable', () => {
    write('manifest.txt', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n');
    const r = readInputs(['manifest.txt', 'missing.yaml'], dir);
    expect(where(r)).toStrictEqual(['manifest.txt:1 Namespace t']);
    expect(r.unusable.map(u => `${u.location!.file}:${u.location!.line} ${u.rule}: ${u.message}`)).toStrictEqual([
      'missing.yaml:1 input/unreadable: cannot read missing.yaml: ENOENT (no such file or directory)',
    ]);
  });

  test('YAML that does not parse names its file and line; the other documents are still read', () => {
    write('bad.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n');
    const r = readInputs(['bad.yaml'], dir);
    expect(where(r)).toStrictEqual(['bad.yaml:1 Namespace ok']);
    expect(r.unusable.map(u => `${u.location!.file}:${u.location!.line} ${u.rule}`)).toStrictEqual(['bad.yaml:8 input/yaml']);
    expect(r.unusable[0].message).toMatch(/^not YAML: \S/);
    expect(r.unusable[0].message).not.toMatch(/\n/);
  });

  test('scalars, lists and objects without apiVersion and kind are skipped with a note; empty documents silently', () => {
    write('misc.yaml', 'just a string\n---\n- a\n- b\n---\nkind: ConfigMap\n---\n---\n# only a comment\n');
    const r = readInputs(['misc.yaml'], dir);
    expect(r.objects).toStrictEqual([]);
    expect(r.notes.map(n => `${n.location!.line} ${n.message}`)).toStrictEqual([
      '1 skipped: a string, not a Kubernetes object',
      '3 skipped: a list, not a Kubernetes object',
      '6 skipped: not a Kubernetes object (no apiVersion and kind)',
    ]);
  });

  test('the fast reader (js-yaml) gives the values and lines the yaml library gives, on every fixture and dist/ file', () => {
    const repo = path.resolve(__dirname, '..', '..');
    const files = ['test/fixtures/check', 'dist'].flatMap(d => fs.readdirSync(path.join(repo, d), { recursive: true, encoding: 'utf8' })
      .filter(f => /\.(ya?ml|json)$/.test(f) && !f.includes('broken')).map(f => path.join(d, f)));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const text = fs.readFileSync(path.join(repo, file), 'utf8');
      const lineCounter = new LineCounter();
      const expected = parseAllDocuments(text, { lineCounter }).filter(d => d.contents !== null).flatMap(d => {
        const value: any = d.toJS();
        if (value?.kind === 'List') {
          const items: any = (d.contents as any).get('items', true);
          return items.items.map((n: any, i: number) => ({ object: value.items[i], line: lineCounter.linePos(n.range[0]).line }));
        }
        return isMap(d.contents) && value.apiVersion && value.kind ? [{ object: value, line: lineCounter.linePos(d.contents.range[0]).line }] : [];
      });
      const read = readInputs([file], repo);
      expect({ file, objects: read.objects.map(o => ({ object: o.object, line: o.line })) }).toStrictEqual({ file, objects: expected });
    }
  });

  test('documents the fast reader does not place exactly (anchors, tags, a List) are read by the yaml library', () => {
    write('anchors.yaml', [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: a, labels: &l {x: y}, annotations: *l}', '---', '',
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: b, labels: *l}', '---', 'apiVersion: !!str v1', 'kind: ConfigMap', 'metadata: {name: c}',
    ].join('\n'));
    const r = readInputs(['anchors.yaml'], dir);
    expect(where(r)).toStrictEqual(['anchors.yaml:1 ConfigMap a', 'anchors.yaml:10 ConfigMap c']);
    expect(r.objects[0].object.metadata.annotations).toStrictEqual({ x: 'y' });
    // an anchor holds within its document only
    expect(r.unusable.map(u => `${u.location!.line} ${u.rule}: ${u.message}`)).toStrictEqual([
      '6 input/yaml: not YAML: Unresolved alias (the anchor must be set before the alias): l',
    ]);
  });
});
