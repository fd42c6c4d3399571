import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INDEX_FILE, VALIDATORS_DIR } from '../../src/gate/precompiled';
import { SchemaGate } from '../../src/gate/schema-gate';
import { PASSES_FILE, PASSES_KEPT, ValidationPasses } from '../../src/gate/validation-passes';

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

const kept = (root: string) => JSON.parse(fs.readFileSync(path.join(root, VALIDATORS_DIR, PASSES_FILE), 'utf8'));

describe('the passes the schema gate keeps across processes', () => {
  const dirs: string[] = [];
  const temporary = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cel-verdicts-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

  /** the passes file of a gate's folder, and the gate's identity */
  const passesOf = (root: string) => kept(root) as { identity: string; passed: string[] };

  test('a gate keeps the digest of each object that passed, never of one that failed', () => {
    const root = gateRoot();
    dirs.push(root);
    const gate = SchemaGate.load(root);
    expect(gate.validate(valid)).toStrictEqual([]);
    expect(gate.validate(invalid).map(p => p.message)).toStrictEqual([CEL_MESSAGE]);
    expect(gate.validate({ ...valid, spec: { ...valid.spec, sourcez: [] } }).map(p => p.message)).toStrictEqual(['spec.sourcez is not allowed (unknown field)']);
    gate.saveCodeCache();
    expect(passesOf(root).passed).toStrictEqual([ValidationPasses.key(valid)]);
  });

  test('the next gate trusts a kept pass without loading a validator (a forged pass shows it), and only under its identity', () => {
    const root = gateRoot();
    dirs.push(root);
    const first = SchemaGate.load(root);
    first.validate(valid);
    first.saveCodeCache();
    const { identity } = passesOf(root);
    const file = path.join(root, VALIDATORS_DIR, PASSES_FILE);
    fs.writeFileSync(file, JSON.stringify({ identity, passed: [ValidationPasses.key(invalid)] }));
    const trusting = SchemaGate.load(root);
    expect(trusting.validate(invalid)).toStrictEqual([]);
    expect(trusting.hasSchema(invalid.apiVersion, invalid.kind)).toBe(true);
    // neither the validator's module nor the CEL library was needed
    expect((trusting.catalogue as any).modules.size).toBe(0);
    fs.writeFileSync(file, JSON.stringify({ identity: 'validators compiled from other schemas', passed: [ValidationPasses.key(invalid)] }));
    expect(SchemaGate.load(root).validate(invalid).map(p => p.message)).toStrictEqual([CEL_MESSAGE]);
  });

  test('the identity names the validators\' compiler and schemas: another index is another identity', () => {
    const root = gateRoot();
    dirs.push(root);
    const before = SchemaGate.load(root).catalogue.identity;
    const indexFile = path.join(root, VALIDATORS_DIR, INDEX_FILE);
    fs.writeFileSync(indexFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(indexFile, 'utf8')), compiler: 'another compiler' }));
    expect(SchemaGate.load(root).catalogue.identity).not.toBe(before);
  });

  test('a changed object is validated again: the digest covers the whole object', () => {
    const renamed = { ...invalid, metadata: { name: 'other' } };
    expect(ValidationPasses.key(renamed)).not.toBe(ValidationPasses.key(invalid));
    const root = gateRoot();
    dirs.push(root);
    const first = SchemaGate.load(root);
    first.validate(valid);
    first.saveCodeCache();
    const file = path.join(root, VALIDATORS_DIR, PASSES_FILE);
    fs.writeFileSync(file, JSON.stringify({ identity: passesOf(root).identity, passed: [ValidationPasses.key(invalid)] }));
    expect(SchemaGate.load(root).validate(renamed).map(p => p.message)).toStrictEqual([CEL_MESSAGE]);
  });

  test('cel: false neither trusts nor records a pass (its verdict is another), and a gate without precompiled validators keeps none', () => {
    const root = gateRoot();
    dirs.push(root);
    const gate = SchemaGate.load(root);
    expect(gate.validate(invalid, { cel: false })).toStrictEqual([]);
    gate.saveCodeCache();
    expect(fs.existsSync(path.join(root, VALIDATORS_DIR, PASSES_FILE))).toBe(false);
    expect(SchemaGate.loadCompiling(ROOT).catalogue.cacheDir).toBeUndefined();
  });

  test('writes only when it found a new pass; keeps this process\'s passes first, then older ones, at most PASSES_KEPT', () => {
    const dir = temporary();
    const file = path.join(dir, PASSES_FILE);
    const none = ValidationPasses.open(dir, 'e');
    expect(none.passed('a')).toBe(false);
    none.save();
    expect(fs.existsSync(file)).toBe(false);

    const older = Array.from({ length: PASSES_KEPT }, (_, i) => `old${i}`);
    fs.writeFileSync(file, JSON.stringify({ identity: 'e', passed: older }));
    const verdicts = ValidationPasses.open(dir, 'e');
    expect(verdicts.passed('old7')).toBe(true);
    verdicts.pass('new');
    verdicts.save();
    const { passed } = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(passed.slice(0, 3)).toStrictEqual(['old7', 'new', 'old0']);
    expect(passed).toHaveLength(PASSES_KEPT);
    expect(passed).not.toContain(`old${PASSES_KEPT - 1}`);
  });

  test('looks up at most PASSES_KEPT objects per process: no more could be kept', () => {
    const passes = ValidationPasses.open(temporary(), 'e');
    for (let i = 0; i < PASSES_KEPT; i++) expect(passes.keyOf({ i })).toBe(ValidationPasses.key({ i }));
    expect(passes.keyOf({ i: PASSES_KEPT })).toBeUndefined();
  });

  test('an unreadable file keeps nothing; a folder that cannot be written leaves the synth as it was', () => {
    const dir = temporary();
    fs.writeFileSync(path.join(dir, PASSES_FILE), '{not json');
    expect(ValidationPasses.open(dir, 'e').passed('a')).toBe(false);
    const missing = ValidationPasses.open(path.join(dir, 'missing', 'folder'), 'e');
    missing.pass('a');
    expect(() => missing.save()).not.toThrow();
  });
});
