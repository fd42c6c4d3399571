import * as fs from 'node:fs';
import * as path from 'node:path';
import { LinkerdControlPlane, LinkerdIdentity, LinkerdVersion } from '../../src/linkerd';
import { chartValues, knownKeys } from '../../src/linkerd/_chart-values';
import { testChart } from '../_util';

const ROOT = path.resolve(__dirname, '..', '..', 'crds', 'charts', 'linkerd');
const FILES: [string, 'values.yaml' | 'values-ha.yaml'][] = [
  ['linkerd-crds', 'values.yaml'],
  ['linkerd-control-plane', 'values.yaml'], ['linkerd-control-plane', 'values-ha.yaml'],
  ['linkerd-viz', 'values.yaml'], ['linkerd-viz', 'values-ha.yaml'],
];

describe('the vendored chart values', () => {
  test.each(LinkerdVersion.all().flatMap(v => FILES.map(([chart, file]) => [v.major, chart, file, v] as const)))(
    'Linkerd %s %s/%s is the tag\'s own file, with its provenance', (major, chart, file, version) => {
      const text = fs.readFileSync(path.join(ROOT, major, chart, file), 'utf8');
      const [source, origin, verbatim] = text.split('\n');
      const dir = chart === 'linkerd-viz' ? 'viz/charts/linkerd-viz' : `charts/${chart}`;
      expect(source).toMatch(new RegExp(`^# Source: https://github\\.com/linkerd/linkerd2/blob/[0-9a-f]{40}/${dir}/${file}$`));
      const tag = major === '2.12' ? 'stable-2.12.6' : major === '2.13' ? 'stable-2.13.7' : major === '2.14' ? 'stable-2.14.10' : `version-${major}`;
      expect(origin).toMatch(new RegExp(`^# Linkerd ${tag} \\(commit [0-9a-f]{40}\\), the tag's own file \\(git show ${tag}:${dir}/${file}\\); Apache-2\\.0\\.$`));
      expect(verbatim).toBe('# Vendored verbatim below this header.');
      expect(chartValues(version, chart as any, file)).toBeInstanceOf(Object);
    });

  test('no version directory outside the catalog', () => {
    expect(fs.readdirSync(ROOT).sort()).toStrictEqual(LinkerdVersion.all().map(v => v.major).sort());
  });

  test('the keys the tags added are known: podMonitor and proxyInit on 2.12.6, podMonitor honorTimestamps on 2.20', () => {
    const v212 = knownKeys(LinkerdVersion.V2_12, 'linkerd-control-plane');
    expect(Object.keys(v212.proxyInit)).toEqual(expect.arrayContaining(['kubeAPIServerPorts', 'privileged']));
    expect(v212.podMonitor).toBeDefined();
    expect(knownKeys(LinkerdVersion.V2_20, 'linkerd-control-plane').podMonitor.controller.honorTimestamps).toBe(false);
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v] as const))('Linkerd %s: the catalog agrees with the tag\'s values (native sidecar default, Gateway API switches)', (_major, version) => {
    expect(chartValues(version, 'linkerd-control-plane', 'values.yaml').proxy.nativeSidecar ?? false).toBe(version.nativeSidecarDefault);
    const crdsKeys = Object.keys(knownKeys(version, 'linkerd-crds'));
    expect(crdsKeys).toEqual(expect.arrayContaining([...version.gatewayApiSwitches]));
  });
});

describe('the Helm repository names in the values files', () => {
  test.each([
    ['2.20', LinkerdVersion.V2_20, 'helm repo add linkerd-edge https://helm.linkerd.io/edge', 'linkerd-edge/linkerd-control-plane'],
    ['2.14', LinkerdVersion.V2_14, 'helm repo add linkerd https://helm.linkerd.io/stable', 'linkerd/linkerd-control-plane'],
  ])('Linkerd %s: the conventional repository name', (_major, version, add, chart) => {
    // linkerd/linkerd2@stable-2.14.10:charts/linkerd-control-plane/README.md:56-58 names both repositories
    const c = testChart();
    const cp = new LinkerdControlPlane(c, 'cp', { version, identity: new LinkerdIdentity(c, 'identity') });
    const release = cp.addRelease('release');
    expect(release.helmCommands[0]).toBe(add);
    expect(release.helmCommands[1]).toContain(` ${chart} `);
  });
});
