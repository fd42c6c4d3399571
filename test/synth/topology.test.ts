import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { Construct } from 'constructs';
import { chartsOf, topology } from '../../src/synth/_topology';

// src/synth/_topology.ts lists constructs in cdk8s's dependency order without building the graph when nothing has a
// dependency: the same order as the graph's, including top-level ids that are array indexes (listed first by an object).

function app(): App {
  const a = new App();
  for (const id of ['web', '10', 'b', '2', '0', '4294967295', '01', 'a']) {
    const chart = new Chart(a, id);
    const group = new Construct(chart, '7');
    new ApiObject(group, '3', { apiVersion: 'v1', kind: 'ConfigMap' });
    new ApiObject(chart, '1', { apiVersion: 'v1', kind: 'ConfigMap' });
    new Chart(chart, '5');
  }
  new Construct(a, '3');
  return a;
}

const paths = (list: readonly { node: { path: string } }[]) => list.map(c => c.node.path);

test('without dependencies: the graph\'s order, array-index ids first in ascending order, then the others in tree order', () => {
  const a = app();
  const graph = new DependencyGraph(a.node).topology();
  expect(paths(topology(a))).toStrictEqual(paths(graph));
  expect(paths(chartsOf(a))).toStrictEqual(paths(a.charts));
  expect(paths(chartsOf(a)).slice(0, 4)).toStrictEqual(['0', '2', '10', '0/5']);
  for (const chart of a.charts) expect(paths(topology(chart))).toStrictEqual(paths(new DependencyGraph(chart.node).topology()));
});

test('with dependencies: the graph cdk8s builds', () => {
  const a = app();
  const [first, second] = a.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  first.node.addDependency(second);
  expect(paths(topology(a))).toStrictEqual(paths(new DependencyGraph(a.node).topology()));
  expect(paths(topology(a))).not.toStrictEqual(paths(a.node.findAll()));
  expect(paths(chartsOf(a))).toStrictEqual(paths(a.charts));
});
