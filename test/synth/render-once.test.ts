import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Yaml, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { ProxyProtocol, Server, ServerPort } from '../../src/mesh';
import { synthesize } from '../../src/synth';

// synthesize() renders each object once and validates the app once (cdk8s's Chart.toJson validates it again:
// cdk8s@2.70.106:lib/app.js:87-98); these tests pin that down and that the output is cdk8s's own.

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'render-once-')); });
afterEach(() => { jest.restoreAllMocks(); fs.rmSync(tmp, { recursive: true, force: true }); });

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Two charts, the first depending on the second, with objects whose order comes from their dependencies. */
function define(app: App): { validations: () => number } {
  let validations = 0;
  const later = new Chart(app, 'later', { namespace: 'apps' });
  const base = new Chart(app, 'base');
  later.addDependency(base);
  const namespace = new k8s.KubeNamespace(base, 'ns', { metadata: { name: 'apps', annotations: { 'linkerd.io/inject': 'enabled' } } });
  const deployment = new k8s.KubeDeployment(later, 'web', {
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example.com/web:1.0.0', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
  });
  const server = new Server(later, 'server', { metadata: { name: 'web', namespace: 'apps' }, podSelector: { app: 'web' }, port: ServerPort.named('http'), proxyProtocol: ProxyProtocol.HTTP1 });
  server.node.addDependency(deployment);
  deployment.node.addDependency(namespace);
  new Construct(later, 'counter').node.addValidation({ validate: () => { validations++; return []; } });
  return { validations: () => validations };
}

test('writes what App.synth writes, byte for byte, for charts and objects ordered by their dependencies', () => {
  const plain = new App({ outdir: path.join(tmp, 'plain'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  define(plain);
  plain.synth();
  synthesize(app => { define(app); }, { outdir: path.join(tmp, 'synth') });
  const expected = files(path.join(tmp, 'plain'));
  expect(Object.keys(expected)).toEqual(['0000-base.k8s.yaml', '0001-later.k8s.yaml']);
  expect(files(path.join(tmp, 'synth'))).toEqual(expected);
});

test('renders each object once and validates the app once (App.synth alone: every object again per chart)', () => {
  const render = jest.spyOn(ApiObject.prototype, 'toJson');
  let counted: { validations: () => number } | undefined;
  const report = synthesize(app => { counted = define(app); }, { outdir: path.join(tmp, 'out') });
  const objects = report.files.reduce((n, f) => n + f.documents.length, 0);
  // the Server's construction-time check reads it as written (src/_internal/validated.ts validateWritten), so none extra
  expect(render).toHaveBeenCalledTimes(objects);
  expect(counted!.validations()).toBe(1);

  render.mockClear();
  const plain = new App({ outdir: path.join(tmp, 'plain') });
  const plainCount = define(plain);
  plain.synth();
  expect(plainCount.validations()).toBe(3); // App.synth's pass, then one per Chart.toJson
  expect(render.mock.calls.length).toBeGreaterThan(objects);
});

test('leaves the objects rendering afresh after the synthesis', () => {
  let deployment: ApiObject | undefined;
  synthesize(app => {
    define(app);
    deployment = app.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment');
  }, { outdir: path.join(tmp, 'out') });
  expect(Object.prototype.hasOwnProperty.call(deployment, 'toJson')).toBe(false);
  deployment!.addJsonPatch(JsonPatch.add('/spec/replicas', 3));
  expect(deployment!.toJson().spec.replicas).toBe(3);
  expect(Object.prototype.hasOwnProperty.call(Chart.of(deployment!), 'toJson')).toBe(false);
  // the YAML writer is cdk8s's again
  expect(Yaml.stringify({ a: 'b\nc' })).toBe('a: |-\n  b\n  c\n');
  expect(Yaml.stringify.toString()).toContain('YAML.stringify');
});

test('a failed validation still fails the synthesis and leaves the objects as they were', () => {
  let server: ApiObject | undefined;
  expect(() => synthesize(app => {
    define(app);
    const chart = app.node.findChild('later') as Chart;
    server = ApiObject.of(chart.node.findChild('server'));
    new Construct(chart, 'failing').node.addValidation({ validate: () => ['always fails'] });
  }, { outdir: path.join(tmp, 'out') })).toThrow(/always fails/);
  expect(Object.prototype.hasOwnProperty.call(server, 'toJson')).toBe(false);
  expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
});

test('reports the text and documents of each manifest as written (kept from the write, not read back)', () => {
  const report = synthesize(app => { define(app); }, { outdir: path.join(tmp, 'out') });
  expect(report.files.map(f => f.file)).toEqual(['0000-base.k8s.yaml', '0001-later.k8s.yaml']);
  for (const f of report.files) {
    const onDisk = fs.readFileSync(path.join(tmp, 'out', f.file), 'utf8');
    expect(f.text).toBe(onDisk);
    expect(f.documents).toEqual(parseAllDocuments(onDisk).map(d => d.toJS()));
  }
});
