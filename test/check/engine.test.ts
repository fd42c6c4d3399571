import type { RuleFamily, SourceObject } from '../../src/check/_types';
import { argocdRules } from '../../src/check/argocd';
import { runCheck } from '../../src/check/engine';

const at = (file: string, line: number, name: string): SourceObject => ({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }, file, line });
const input = (objects: SourceObject[]) => ({ objects, files: [], notes: [], unusable: [] });

describe('check: the engine', () => {
  const family: RuleFamily = {
    name: 'test',
    run: objects => objects.map(source => ({ severity: source.object.metadata.name === 'w' ? 'warning' : 'note', rule: 'test/rule', message: 'm', source })),
  };

  test('sorts findings by file (byte order) and line, the input-level ones last; --strict makes warnings errors', () => {
    const objects = [at('b.yaml', 3, 'w'), at('B.yaml', 9, 'n'), at('b.yaml', 1, 'n'), at('a/z.yaml', 20, 'w')];
    const general: RuleFamily = { name: 'general', run: () => [{ severity: 'note', rule: 'general/x', message: 'about the input' }] };
    const lenient = runCheck(input(objects), { families: [general, family] });
    expect(lenient.findings.map(f => `${f.source ? `${f.source.file}:${f.source.line}` : '-'} ${f.severity}`)).toStrictEqual([
      'B.yaml:9 note', 'a/z.yaml:20 warning', 'b.yaml:1 note', 'b.yaml:3 warning', '- note',
    ]);
    expect([lenient.exitCode, lenient.counts]).toStrictEqual([0, { error: 0, warning: 2, note: 3 }]);
    const strict = runCheck(input(objects), { families: [general, family], strict: true });
    expect([strict.exitCode, strict.counts]).toStrictEqual([1, { error: 2, warning: 0, note: 3 }]);
  });

  test('a rule family that fails is reported, the others still run, and the exit code is 2', () => {
    const broken: RuleFamily = { name: 'broken', run: () => { throw new TypeError('x is undefined'); } };
    const result = runCheck(input([at('a.yaml', 1, 'w')]), { families: [broken, family] });
    expect(result.findings.map(f => `${f.severity} ${f.rule}: ${f.message}`)).toStrictEqual([
      'warning test/rule: m',
      'error broken/failed: the broken rules failed and checked nothing: x is undefined',
    ]);
    expect(result.exitCode).toBe(2);
  });

  test('an AppProject with an invalid name is an error (the API server rejects it); its wildcards stay warnings', () => {
    const project: SourceObject = {
      object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'Shop_Team', namespace: 'argocd' },
        spec: { sourceRepos: ['https://git.example.com/*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'shop' }] } },
      file: 'p.yaml', line: 1,
    };
    expect(argocdRules.run([project]).map(f => `${f.severity}: ${f.message}`)).toStrictEqual([
      'error: name "Shop_Team" must be a DNS-1123 subdomain (at most 253 lowercase alphanumerics, \'-\' or \'.\', each dot-separated part starting and ending with an alphanumeric)',
      'warning: sourceRepos "https://git.example.com/*" is not allowed: name the repository, without wildcards',
    ]);
  });
});
