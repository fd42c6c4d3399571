import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { SchemaValidationPlugin } from '../../src/gate/cdk8s-plugin';

const ROOT = path.join(__dirname, '..', '..');
// cdk8s-cli's own plugin machinery, by path: its package.json `exports` does not list lib/
const CLI = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins');
const { PluginManager } = require(path.join(CLI, '_manager')) as typeof import('cdk8s-cli/lib/plugins/_manager');
const { ValidationContext, ValidationPlugin } = require(path.join(CLI, 'validation')) as typeof import('cdk8s-cli/lib/plugins/validation');
/** this repository's cdk8s.yaml entry for the plugin */
const entry = () => parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')).validations[0];

const BAD = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selectr:
    app: web
  ports:
    - port: 80
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: issuer
  namespace: linkerd
spec:
  secretName: issuer
  issuerRef: { name: root, kind: ClusterIssuer }
  privateKey: { algorithm: DSA }
`;
const GOOD = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  a: b
`;
const WIDGET = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec: {}
`;

describe('the cdk8s validation plugin (validations: in cdk8s.yaml)', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-plugin-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function manifest(name: string, text: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  test('this repository\'s cdk8s.yaml uses it', () => {
    expect(entry()).toStrictEqual({ package: './lib/src/gate/cdk8s-plugin.js', version: '0.1.0', class: 'SchemaValidationPlugin' });
  });

  test('fails a bad manifest, loaded as cdk8s-cli loads it from cdk8s.yaml: one violation per invalid object, each field a location', async () => {
    const file = manifest('apps.k8s.yaml', BAD);
    // cdk8s-cli resolves a local package against the working directory (lib/plugins/_manager.js loadPackage)
    const { plugin, context } = ValidationPlugin.load(entry(), { manifests: [file] }, false, new PluginManager(path.join(tmp, 'plugins')));
    await plugin.validate(context);
    const report = context.report.toJson();
    expect(report.summary).toMatchObject({ status: 'failure', metadata: { objects: '2', invalid: '2', unchecked: '0' } });
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0].violatingConstructs).toStrictEqual([
      { resourceName: 'web', manifestPath: file, constructPath: undefined, locations: ['Service shop/web: kubernetes v1.25.0, v1.36.0: spec.selectr is not allowed (unknown field)'] },
      { resourceName: 'issuer', manifestPath: file, constructPath: undefined, locations: ['Certificate linkerd/issuer: spec.privateKey.algorithm must be one of "RSA", "ECDSA", "Ed25519" (got "DSA")'] },
    ]);
  });

  test('passes valid manifests', async () => {
    const context = new ValidationContext([manifest('ok.k8s.yaml', GOOD)], 'cdk8s-linkerd', '0.1.0');
    await new SchemaValidationPlugin().validate(context);
    expect(context.report.toJson()).toMatchObject({ violations: [], summary: { status: 'success', metadata: { objects: '1', invalid: '0' } } });
  });

  test('logs a kind without a vendored schema as not checked; fails it with failOnUnknownKinds', async () => {
    const file = manifest('widgets.k8s.yaml', WIDGET);
    const logged: string[] = [];
    const lenient = new ValidationContext([file], 'cdk8s-linkerd', '0.1.0');
    jest.spyOn(lenient.logger, 'log').mockImplementation(m => { logged.push(m); });
    await new SchemaValidationPlugin().validate(lenient);
    expect(lenient.report.success).toBe(true);
    expect(logged).toStrictEqual([`${file}: not schema-validated: no vendored schema exists for apiVersion example.com/v1, kind Widget`]);

    const strict = new ValidationContext([file], 'cdk8s-linkerd', '0.1.0');
    await new SchemaValidationPlugin({ failOnUnknownKinds: true }).validate(strict);
    expect(strict.report.success).toBe(false);
    expect(strict.report.toJson().violations[0].violatingConstructs[0].locations).toStrictEqual(['not schema-validated: no vendored schema exists for apiVersion example.com/v1, kind Widget']);
  });

  test('skips the documents without apiVersion and kind of a file that is not a chart\'s manifest (Helm values), with a note', async () => {
    const values = manifest('linkerd-viz.values.yaml', 'dashboard:\n  replicas: 1\n');
    const bad = manifest('extra.yaml', BAD);
    const logged: string[] = [];
    const context = new ValidationContext([values, bad], 'cdk8s-linkerd', '0.1.0');
    jest.spyOn(context.logger, 'log').mockImplementation(m => { logged.push(m); });
    await new SchemaValidationPlugin().validate(context);
    expect(logged).toStrictEqual([`${values}: 1 document(s) without apiVersion and kind skipped: not Kubernetes objects`]);
    expect(context.report.toJson().summary.metadata).toStrictEqual({ objects: '2', invalid: '2', unchecked: '0' });
  });

  test('fails a document without a kind in a chart\'s manifest', async () => {
    const context = new ValidationContext([manifest('apps.k8s.yaml', 'metadata:\n  name: x\n')], 'cdk8s-linkerd', '0.1.0');
    await new SchemaValidationPlugin().validate(context);
    expect(context.report.toJson().violations[0].violatingConstructs[0].locations).toStrictEqual(['(no kind) x: apiVersion and kind must be non-empty strings']);
  });

  test('fails a manifest that is not YAML, naming the file', async () => {
    const file = manifest('broken.k8s.yaml', 'a: [\n');
    await expect(new SchemaValidationPlugin().validate(new ValidationContext([file], 'cdk8s-linkerd', '0.1.0'))).rejects.toThrow(file);
  });

  test('makes `cdk8s synth` exit 2 on a bad manifest, with the field in its report', () => {
    // an app that writes the bad manifest, and a cdk8s.yaml that names the plugin by its path
    const app = manifest('app.js', [
      'const fs = require(\'fs\');',
      'fs.mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });',
      `fs.writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'apps.k8s.yaml'), ${JSON.stringify(BAD)});`,
    ].join('\n'));
    fs.writeFileSync(path.join(tmp, 'cdk8s.yaml'), `app: node ${app}\nvalidations:\n  - package: ${path.join(ROOT, 'lib', 'src', 'gate', 'cdk8s-plugin.js')}\n    version: 0.1.0\n    class: SchemaValidationPlugin\n`);
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth'], {
      cwd: tmp, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, timeout: 120_000,
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('spec.selectr is not allowed (unknown field)');
    expect(run.stderr).toContain('Validation failed');
  });
});
