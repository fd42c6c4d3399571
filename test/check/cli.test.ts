import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, USAGE } from '../../src/cli/check';
import { check, REPO, RUNBOOK, SEEDED } from './_run';

const BIN = path.join(REPO, 'lib', 'src', 'cli', 'check.js');

describe('cdk8s-linkerd check: the command', () => {
  test('text: file:line: severity: Kind namespace/name: message [rule], then a summary', () => {
    const { code, stdout, stderr } = check(['check', `${SEEDED}/cert-manager.yaml`]);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout.split('\n')).toStrictEqual([
      `${SEEDED}/cert-manager.yaml:2: error: Issuer linkerd/two-types: may not specify more than one issuer type, got ca and selfSigned: choose exactly one [cert-manager/issuer]`,
      `${SEEDED}/cert-manager.yaml:2: note: Issuer linkerd/two-types: ca.secretName names Secret linkerd/linkerd-trust-anchor, which neither a Secret nor a Certificate of the input provides: not checked [cert-manager/ca-secret-not-in-input]`,
      `${SEEDED}/cert-manager.yaml:12: error: Certificate linkerd/linkerd-identity-issuer: renewBefore 49h0m0s must be shorter than duration 48h0m0s [cert-manager/certificate]`,
      `${SEEDED}/cert-manager.yaml:12: note: Certificate linkerd/linkerd-identity-issuer: issuerRef names ClusterIssuer missing-issuer, which is not in the input: not checked [cert-manager/issuer-not-in-input]`,
      '2 errors, 0 warnings, 2 notes in 2 objects of 1 file',
      '',
    ]);
  });

  test('exit codes: 0 with warnings and notes only, 1 with an error, 1 with a warning under --strict, 2 on unusable input', () => {
    expect(check(['check', RUNBOOK]).code).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-exit-'));
    try {
      fs.writeFileSync(path.join(dir, 'project.yaml'), fs.readFileSync(path.join(REPO, SEEDED, 'argocd.yaml'), 'utf8').split('---\n')[1]);
      const lenient = check(['check', 'project.yaml'], dir);
      expect(lenient.code).toBe(0);
      expect(lenient.stdout).toMatch(/^project\.yaml:1: warning: AppProject argocd\/shop: sourceRepos "\*" is not allowed/);
      const strict = check(['check', '--strict', 'project.yaml'], dir);
      expect(strict.code).toBe(1);
      expect(strict.stdout).toMatch(/^project\.yaml:1: error: AppProject argocd\/shop: sourceRepos "\*" is not allowed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(check(['check', `${SEEDED}/schema.yaml`]).code).toBe(1);
    // unparsable YAML beside an error: 2 wins, and the rest is still reported
    const broken = check(['check', `${SEEDED}/broken.yaml`, `${SEEDED}/schema.yaml`]);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain(`${SEEDED}/broken.yaml:11: error: not YAML: Flow map in block collection must be sufficiently indented and end with a } [input/yaml]`);
    expect(broken.stdout).toContain(`${SEEDED}/schema.yaml:7: error: Deployment shop/web:`);
    expect(check(['check', 'no-such-folder']).code).toBe(2);
  });

  test('usage: --help prints the usage and exits 0; a missing command, path or format exits 2 with the usage on stderr', () => {
    expect(check(['--help'])).toStrictEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(check(['check', '-h'])).toStrictEqual({ code: 0, stdout: USAGE, stderr: '' });
    for (const [args, message] of [
      [[], 'a command is required'],
      [['lint', 'x'], 'unknown command "lint"'],
      [['check'], 'at least one PATH (a file or a folder) is required'],
      [['check', '--format', 'xml', 'x'], '--format "xml" is not one of text, json, sarif'],
      [['check', '--fast', 'x'], "Unknown option '--fast'"],
      [['check', '--linkerd-version', '9.99', 'x'], '--linkerd-version "9.99" is not a version this library knows: use one of'],
    ] as const) {
      const r = check([...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(USAGE);
    }
  });

  test('--linkerd-version judges the objects by that version: a Server accessPolicy before 2.16 is an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-version-'));
    try {
      fs.writeFileSync(path.join(dir, 'server.yaml'), [
        'apiVersion: policy.linkerd.io/v1beta3', 'kind: Server', 'metadata: { name: web, namespace: shop }',
        'spec: { podSelector: { matchLabels: { app: web } }, port: 8080, accessPolicy: audit }', '',
      ].join('\n'));
      const errors = (r: { stdout: string }) => (JSON.parse(r.stdout).findings as { severity: string; message: string }[])
        .filter(f => f.severity === 'error').map(f => f.message);
      expect(errors(check(['check', '--format', 'json', dir]))).toStrictEqual([]);
      const old = check(['check', '--format', 'json', '--linkerd-version', '2.14', dir]);
      expect(old.code).toBe(1);
      expect(errors(old)).toStrictEqual(['accessPolicy needs Linkerd 2.16 or later (Server v1beta3 with accessPolicy), but this is Linkerd 2.14']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a folder without YAML is unusable input', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-empty-'));
    try {
      expect(check(['check', '.'], dir)).toStrictEqual({ code: 2, stdout: '', stderr: 'cdk8s-linkerd check: no .yaml, .yml or .json file in .\n' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('json: a summary and every finding with file, line and object', () => {
    const { code, stdout } = check(['check', '--format', 'json', `${SEEDED}/trust-manager.yaml`]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toStrictEqual({
      summary: { files: 1, objects: 2, errors: 1, warnings: 0, notes: 0, exitCode: 1 },
      findings: [{
        severity: 'error', rule: 'trust-manager/bundle', message: 'sources[0].secret.key cannot be defined when includeAllKeys is true',
        file: `${SEEDED}/trust-manager.yaml`, line: 12, apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', name: 'linkerd-identity-trust-roots',
      }],
    });
  });

  test('sarif: a SARIF 2.1.0 log with every property the schema requires, rule ids, levels and file:line locations', () => {
    const { code, stdout } = check(['check', '--format', 'sarif', `${SEEDED}/argocd.yaml`, `${SEEDED}/broken.yaml`]);
    expect(code).toBe(2);
    const log = JSON.parse(stdout);
    // the required properties and anyOf alternatives of oasis-tcs/sarif-spec@e058381:sarif-2.1/schema/sarif-schema-2.1.0.json:
    // sarifLog version (enum 2.1.0) and runs (:48), run.tool (:2588), tool.driver (:2943), toolComponent.name (:3141),
    // reportingDescriptor.id (:1919), multiformatMessageString.text (:1499), result.message (:2282) with text or id
    // (:1472-1473), physicalLocation.artifactLocation or address (:1642-1645), region.startLine >= 1 (:1785), levels
    // none/note/warning/error (:2069)
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const [runLog] = log.runs;
    expect(runLog.tool.driver.name).toBe('cdk8s-linkerd check');
    expect(runLog.tool.driver.version).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
    for (const rule of runLog.tool.driver.rules) {
      expect(typeof rule.id).toBe('string');
      expect(typeof rule.shortDescription.text).toBe('string');
    }
    const ids = runLog.tool.driver.rules.map((r: any) => r.id);
    expect(ids).toStrictEqual(['argocd/app-project', 'argocd/application', 'argocd/rollout', 'argocd/rollout-prerequisite', 'input/yaml']);
    expect(runLog.results.map((r: any) => `${r.level} ${r.ruleId} ${ids[r.ruleIndex]} ${r.locations?.[0].physicalLocation.artifactLocation.uri}:${r.locations?.[0].physicalLocation.region.startLine}`)).toStrictEqual([
      `error argocd/application argocd/application ${SEEDED}/argocd.yaml:2`,
      `warning argocd/app-project argocd/app-project ${SEEDED}/argocd.yaml:18`,
      `error argocd/rollout argocd/rollout ${SEEDED}/argocd.yaml:29`,
      `error input/yaml input/yaml ${SEEDED}/broken.yaml:11`,
      'note argocd/rollout-prerequisite argocd/rollout-prerequisite undefined:undefined',
    ]);
    for (const result of runLog.results) {
      expect(typeof result.message.text).toBe('string');
      expect(['none', 'note', 'warning', 'error']).toContain(result.level);
      for (const location of result.locations ?? []) {
        expect(location.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
        expect(Number.isInteger(location.physicalLocation.region.startLine)).toBe(true);
      }
    }
    expect(runLog.results[0].message.text).toBe('Application argocd/shop: destination can\'t have both name and server defined: in-cluster https://kubernetes.default.svc');
  });

  test('sarif: an absolute path becomes a file: URI', () => {
    const file = path.join(REPO, SEEDED, 'schema.yaml');
    const log = JSON.parse(check(['check', '--format', 'sarif', file]).stdout);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(`file://${file}`);
  });

  test('a progress line on a terminal once a run takes over a second, cleared before the report; none otherwise', () => {
    let clock = 0;
    let progress = '';
    let stdout = '';
    const code = run(['check', RUNBOOK], {
      stdout: t => { stdout += t; }, stderr: () => undefined, cwd: REPO, progress: t => { progress += t; },
      now: () => (clock += 600),
    });
    expect(code).toBe(0);
    expect(progress).toMatch(/^\r\x1b\[Kcdk8s-linkerd check: read \d\/5 files/);
    expect(progress).toContain('\r\x1b[Kcdk8s-linkerd check: checking 12 objects');
    expect(progress.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).not.toContain('\r');
    let quick = '';
    run(['check', RUNBOOK], { stdout: () => undefined, stderr: () => undefined, cwd: REPO, progress: t => { quick += t; }, now: () => 0 });
    expect(quick).toBe('');
  });

  test('the installed command (the package\'s bin): unparsable YAML names file and line, exit 2, never a stack trace', () => {
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: npm test builds first (npm run build)`);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(path.join(REPO, pkg.bin['cdk8s-linkerd'])).toBe(BIN);
    expect(fs.readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const r = spawnSync(process.execPath, [BIN, 'check', `${SEEDED}/broken.yaml`], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${SEEDED}/broken.yaml:11: error: not YAML: Flow map in block collection must be sufficiently indented and end with a } [input/yaml]\n`
      + '1 error, 0 warnings, 0 notes in 1 object of 1 file\n');
    expect(r.stdout).not.toMatch(/\n\s+at /);
  });

  test('the default platform, synthesized into a temporary folder: exit 0, no error and no warning', () => {
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: npm test builds first (npm run build)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-dist-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', CDK8S_OUTDIR: path.join(dir, 'dist') };
      for (const k of Object.keys(env)) if (k.startsWith('DASHBOARD_')) delete env[k];
      const synth = spawnSync(process.execPath, [path.join(REPO, 'lib', 'src', 'main.js')], { cwd: dir, encoding: 'utf8', env });
      expect(synth.status).toBe(0);
      const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', 'dist'], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const { summary, findings } = JSON.parse(r.stdout);
      expect(findings.filter((f: any) => f.severity !== 'note')).toStrictEqual([]);
      expect(summary).toMatchObject({ errors: 0, warnings: 0 });
      expect(summary.objects).toBe(45);
      // the notes: the Helm values and reports are not Kubernetes objects; the rollout's prerequisites are the report's
      const rollout = JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'reports', 'rollout.json'), 'utf8'));
      expect(findings.filter((f: any) => f.rule === 'argocd/rollout-prerequisite').map((f: any) => f.message))
        .toStrictEqual(rollout.prerequisites.crdGroups.map((g: string) => `a sync of dist needs the CRDs of ${g}, which nothing in dist installs, already in the cluster`));
      expect(new Set(findings.map((f: any) => f.rule))).toStrictEqual(new Set(['input/not-kubernetes', 'argocd/rollout-prerequisite', 'linkerd/missing-reference', 'linkerd/mtls-coverage']));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
