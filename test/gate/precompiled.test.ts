import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INDEX_FILE, PrecompiledCatalogue, schemaFiles, ValidatorIndex, VALIDATORS_DIR } from '../../src/gate/precompiled';
import { SchemaGate } from '../../src/gate/schema-gate';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, VALIDATORS_DIR);

function index(): ValidatorIndex {
  return JSON.parse(fs.readFileSync(path.join(DIR, INDEX_FILE), 'utf8'));
}

/**
 * A folder with the repo's crds/ and the given files of lib/validators/ (all when none are named), and the formats
 * module the validators require; inside lib/, so that they find ajv in node_modules.
 */
function copyRoot(files?: string[]): string {
  const root = fs.mkdtempSync(path.join(ROOT, 'lib', 'test-precompiled-'));
  fs.cpSync(path.join(ROOT, 'crds'), path.join(root, 'crds'), { recursive: true });
  fs.mkdirSync(path.join(root, 'lib', 'src', 'gate'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'lib', 'src', 'gate', 'formats.js'), path.join(root, 'lib', 'src', 'gate', 'formats.js'));
  fs.mkdirSync(path.join(root, VALIDATORS_DIR), { recursive: true });
  for (const file of files ?? fs.readdirSync(DIR).filter(f => !f.endsWith('.v8cache'))) {
    fs.copyFileSync(path.join(DIR, file), path.join(root, VALIDATORS_DIR, file));
  }
  return root;
}

const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd', lables: {} } };

describe('the validators compiled ahead of time (lib/validators/, written by the build)', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach(root => fs.rmSync(root, { recursive: true, force: true })));

  test('were compiled from the vendored schemas as they are now (sha256 of each file)', () => {
    const sources = schemaFiles(ROOT).map(file => {
      const data = fs.readFileSync(path.join(ROOT, file));
      return { file, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    });
    expect(index().sources).toStrictEqual(sources);
    expect(sources.map(s => s.file)).toContain('crds/kubernetes/v1.25.0/_definitions.json');
  });

  test('index every built-in kind once per release, the kinds with a pod template in one module per release', () => {
    const { releases, crds } = index();
    expect(releases.map(r => r.version)).toStrictEqual(['v1.25.0', 'v1.36.0']);
    for (const { kinds } of releases) {
      const [deployment, job, service] = [kinds['apps/v1/Deployment'], kinds['batch/v1/Job'], kinds['/v1/Service']];
      expect(deployment.split('#')).toStrictEqual([job.split('#')[0], 'apps/v1/Deployment']);
      expect(service).not.toContain('#');
    }
    expect(Object.keys(crds['cert-manager.io/Certificate'])).toStrictEqual(['v1']);
  });

  test('a gate over them loads neither ajv\'s compiler nor a schema (the compiled gate, in a fresh process)', () => {
    const script = `
      const { SchemaGate } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'gate', 'schema-gate.js'))});
      const problems = SchemaGate.load().validate(${JSON.stringify(namespace)});
      const loaded = Object.keys(require.cache).filter(m => /ajv[\\/]dist[\\/](core|ajv|compile)|schema-compiler|[\\/]yaml[\\/]/.test(m));
      process.stdout.write(JSON.stringify({ problems: problems.map(p => p.message), loaded }));`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toStrictEqual({ problems: ['kubernetes v1.25.0, v1.36.0: metadata.lables is not allowed (unknown field)'], loaded: [] });
  });

  test('are not used when a schema file is not the one they were compiled from: the gate compiles from crds/', () => {
    const root = copyRoot([INDEX_FILE]);
    roots.push(root);
    expect(PrecompiledCatalogue.open(root)).toBeDefined();
    fs.appendFileSync(path.join(root, 'crds', 'traefik.yaml'), '# edited\n');
    expect(PrecompiledCatalogue.open(root)).toBeUndefined();
    expect(SchemaGate.load(root).catalogue.constructor.name).toBe('CompilingCatalogue');
  });

  test('are not used when a schema file was added or removed since', () => {
    const root = copyRoot([INDEX_FILE]);
    roots.push(root);
    fs.writeFileSync(path.join(root, 'crds', 'extra.yaml'), '');
    expect(PrecompiledCatalogue.open(root)).toBeUndefined();
    fs.rmSync(path.join(root, 'crds', 'extra.yaml'));
    fs.rmSync(path.join(root, 'crds', 'traefik.yaml'));
    expect(PrecompiledCatalogue.open(root)).toBeUndefined();
  });

  test('are not used without an index, or with one of another format', () => {
    const root = copyRoot([]);
    roots.push(root);
    expect(PrecompiledCatalogue.open(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, VALIDATORS_DIR, INDEX_FILE), JSON.stringify({ ...index(), format: 0 }));
    expect(PrecompiledCatalogue.open(root)).toBeUndefined();
  });

  test('keep a V8 code cache beside a module after a synth, which the next process uses', () => {
    const root = copyRoot();
    roots.push(root);
    const module = index().releases[0].kinds['/v1/Namespace'];
    const cache = path.join(root, VALIDATORS_DIR, `${module}.${process.version}-${process.arch}.v8cache`);
    const first = SchemaGate.load(root);
    expect(first.validate(namespace)).toHaveLength(1);
    expect(fs.existsSync(cache)).toBe(false);
    first.saveCodeCache();
    expect(fs.statSync(cache).size).toBeGreaterThan(0);
    const second = SchemaGate.load(root);
    expect(second.validate(namespace)).toStrictEqual(first.validate(namespace));
    // nothing left to write: the cache was accepted
    expect((second.catalogue as any).uncached).toStrictEqual([]);
  });
});
