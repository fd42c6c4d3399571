import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CEL_EVALUATOR_DIGEST } from '../../src/gate/cel';
import { CEL_VERDICTS_FILE, CEL_VERDICTS_KEPT, CelVerdicts } from '../../src/gate/cel-verdicts';
import { INDEX_FILE, VALIDATORS_DIR } from '../../src/gate/precompiled';
import { SchemaGate } from '../../src/gate/schema-gate';

const ROOT = path.join(__dirname, '..', '..');
const REPO_VALIDATORS = path.join(ROOT, VALIDATORS_DIR);

const bundle = (source: Record<string, unknown>) => ({
  apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'linkerd-identity-trust-roots' },
  spec: { sources: [source], target: { configMap: { key: 'ca-bundle.crt' } } },
});
const valid = bundle({ secret: { name: 'linkerd-trust-anchor', key: 'tls.crt' } });
// passes the Bundle's schema, fails its CEL rule (a source names exactly one kind)
const invalid = bundle({ useDefaultCAs: true, inLine: 'x' });
const CEL_MESSAGE = 'spec.sources[0]: Invalid value: exactly one of the fields in [configMap secret inLine useDefaultCAs] must be set';

/**
 * A folder with the repo's crds/ and its precompiled validators (the index and the Bundle's module; lib/ so that they
 * find ajv in node_modules), for a gate with a folder of its own to keep passes in.
 */
function gateRoot(): string {
  const root = fs.mkdtempSync(path.join(ROOT, 'lib', 'test-cel-verdicts-'));
  fs.cpSync(path.join(ROOT, 'crds'), path.join(root, 'crds'), { recursive: true });
  fs.mkdirSync(path.join(root, 'lib', 'src', 'gate'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'lib', 'src', 'gate', 'formats.js'), path.join(root, 'lib', 'src', 'gate', 'formats.js'));
  fs.mkdirSync(path.join(root, VALIDATORS_DIR), { recursive: true });
  const index = JSON.parse(fs.readFileSync(path.join(REPO_VALIDATORS, INDEX_FILE), 'utf8'));
  const module = index.crds['trust.cert-manager.io/Bundle'].v1alpha1;
  for (const file of [INDEX_FILE, module]) fs.copyFileSync(path.join(REPO_VALIDATORS, file), path.join(root, VALIDATORS_DIR, file));
  return root;
}

const kept = (root: string) => JSON.parse(fs.readFileSync(path.join(root, VALIDATORS_DIR, CEL_VERDICTS_FILE), 'utf8'));

describe('the CEL passes the gate keeps across processes', () => {
  const dirs: string[] = [];
  const temporary = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cel-verdicts-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

  test('a gate keeps the digest of each object that passed its CEL rules, never of one that failed', () => {
    const root = gateRoot();
    dirs.push(root);
    const gate = SchemaGate.load(root);
    expect(gate.validate(valid)).toStrictEqual([]);
    expect(gate.validate(invalid).map(p => p.message)).toStrictEqual([CEL_MESSAGE]);
    gate.saveCodeCache();
    expect(kept(root)).toStrictEqual({ evaluator: CEL_EVALUATOR_DIGEST, passed: [CelVerdicts.key(valid)] });
  });

  test('the next gate trusts a kept pass without evaluating the rules (a forged pass shows it), and only for its evaluator', () => {
    const root = gateRoot();
    dirs.push(root);
    const file = path.join(root, VALIDATORS_DIR, CEL_VERDICTS_FILE);
    fs.writeFileSync(file, JSON.stringify({ evaluator: CEL_EVALUATOR_DIGEST, passed: [CelVerdicts.key(invalid)] }));
    expect(SchemaGate.load(root).validate(invalid)).toStrictEqual([]);
    fs.writeFileSync(file, JSON.stringify({ evaluator: 'another evaluator', passed: [CelVerdicts.key(invalid)] }));
    expect(SchemaGate.load(root).validate(invalid).map(p => p.message)).toStrictEqual([CEL_MESSAGE]);
  });

  test('a changed object is evaluated again: the digest covers the whole object', () => {
    const renamed = { ...invalid, metadata: { name: 'other' } };
    expect(CelVerdicts.key(renamed)).not.toBe(CelVerdicts.key(invalid));
    const root = gateRoot();
    dirs.push(root);
    const file = path.join(root, VALIDATORS_DIR, CEL_VERDICTS_FILE);
    fs.writeFileSync(file, JSON.stringify({ evaluator: CEL_EVALUATOR_DIGEST, passed: [CelVerdicts.key(invalid)] }));
    expect(SchemaGate.load(root).validate(renamed).map(p => p.message)).toStrictEqual([CEL_MESSAGE]);
  });

  test('the gate without precompiled validators keeps nothing', () => {
    expect(SchemaGate.loadCompiling(ROOT).catalogue.cacheDir).toBeUndefined();
  });

  test('writes only when it found a new pass; keeps this process\'s passes first, then older ones, at most CEL_VERDICTS_KEPT', () => {
    const dir = temporary();
    const file = path.join(dir, CEL_VERDICTS_FILE);
    const none = CelVerdicts.open(dir, 'e');
    expect(none.passed('a')).toBe(false);
    none.save();
    expect(fs.existsSync(file)).toBe(false);

    const older = Array.from({ length: CEL_VERDICTS_KEPT }, (_, i) => `old${i}`);
    fs.writeFileSync(file, JSON.stringify({ evaluator: 'e', passed: older }));
    const verdicts = CelVerdicts.open(dir, 'e');
    expect(verdicts.passed('old7')).toBe(true);
    verdicts.pass('new');
    verdicts.save();
    const { passed } = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(passed.slice(0, 3)).toStrictEqual(['old7', 'new', 'old0']);
    expect(passed).toHaveLength(CEL_VERDICTS_KEPT);
    expect(passed).not.toContain(`old${CEL_VERDICTS_KEPT - 1}`);
  });

  test('an unreadable file keeps nothing; a folder that cannot be written leaves the synth as it was', () => {
    const dir = temporary();
    fs.writeFileSync(path.join(dir, CEL_VERDICTS_FILE), '{not json');
    expect(CelVerdicts.open(dir, 'e').passed('a')).toBe(false);
    const missing = CelVerdicts.open(path.join(dir, 'missing', 'folder'), 'e');
    missing.pass('a');
    expect(() => missing.save()).not.toThrow();
  });
});
