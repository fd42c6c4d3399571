import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { Construct, Node } from 'constructs';
import { synthesize } from '../../src/synth';
import { SchemaValidation } from '../../src/synth/synthesize';
import { scaleChart } from '../bench/_scale-app';

// synthesize() shares the walks of the construct tree until the tree changes (src/synth/_tree.ts).

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-walks-')); });
afterEach(() => { jest.restoreAllMocks(); fs.rmSync(tmp, { recursive: true, force: true }); });

const off = SchemaValidation.off('kinds without a schema');

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

test('a synthesis walks the tree a few times, not once per check (each walk reads every construct\'s children)', () => {
  const children = jest.spyOn(Node.prototype, 'children', 'get');
  let constructs = 0;
  synthesize(app => {
    scaleChart(app, 20, { workloads: true });
    constructs = app.node.findAll().length;
    children.mockClear();
  }, { outdir: path.join(tmp, 'out') });
  // before: 15 walks of the whole tree (cdk8s's validation, dependencies and charts, and this library's checks)
  expect(children.mock.calls.length).toBeLessThan(4 * constructs);
  expect(children.mock.calls.length).toBeGreaterThanOrEqual(constructs);
});

test('a construct added in a validation is in the walks after it, as in App.synth', () => {
  const define = (app: App) => {
    const chart = new Chart(app, 'c', { namespace: 'apps' });
    new ApiObject(chart, 'first', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'first' } });
    let added = false;
    new Construct(chart, 'adder').node.addValidation({
      validate: () => {
        if (!added) new ApiObject(chart, 'late', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'late' } });
        added = true;
        return [];
      },
    });
  };
  const plain = new App({ outdir: path.join(tmp, 'plain'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  define(plain);
  plain.synth();
  synthesize(define, { outdir: path.join(tmp, 'synth'), validation: off });
  expect(files(path.join(tmp, 'plain'))['c.k8s.yaml']).toContain('name: late');
  expect(files(path.join(tmp, 'synth'))).toEqual(files(path.join(tmp, 'plain')));
});

test('each caller gets its own list, and findAll is the library\'s own again after the synthesis', () => {
  const findAll = Node.prototype.findAll;
  synthesize(app => {
    const chart = new Chart(app, 'c', { namespace: 'apps' });
    new ApiObject(chart, 'a', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a' } });
    new Construct(chart, 'mutator').node.addValidation({
      validate: () => {
        const first = app.node.findAll();
        first.length = 0;
        return app.node.findAll().length > 0 ? [] : ['a caller emptied another caller\'s list'];
      },
    });
  }, { outdir: path.join(tmp, 'out'), validation: off });
  expect(Node.prototype.findAll).toBe(findAll);
  expect(() => synthesize(app => { new Chart(app, 'c').node.addValidation({ validate: () => ['no'] }); }, { outdir: path.join(tmp, 'out'), validation: off }))
    .toThrow(/no/);
  expect(Node.prototype.findAll).toBe(findAll);
});
