// `npx ts-node --transpile-only test/bench/check.bench.ts`: `cdk8s-linkerd check` on 10,000 generated objects (100
// files of 100 documents: Deployments, Services, ConfigMaps, Namespaces, Certificates, Issuers, Bundles, Applications,
// a few with a seeded mistake), run as the installed command runs (a fresh `node lib/src/cli/check.js` process per
// round, after `tsc`); prints the median wall and CPU time against the target of 5 s. BENCH_OBJECTS changes the count.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './_measure';

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.join(REPO, 'lib', 'src', 'cli', 'check.js');
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_FILE = 100;

/** The i-th generated object, as YAML: a mix like an application repository's, every 997th with a mistake. */
function object(i: number): string {
  const ns = `team-${i % 50}`;
  const name = `svc-${i}`;
  switch (i % 10) {
    case 0: return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}-${i}\n  annotations:\n    linkerd.io/inject: enabled\n`;
    case 1: case 2: return [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, `  namespace: ${ns}`, 'spec:',
      i % 997 === 1 ? '  replica: 2' : '  replicas: 2', '  selector:', `    matchLabels: {app: ${name}}`, '  template:', '    metadata:',
      `      labels: {app: ${name}}`, '      annotations:', '        config.linkerd.io/proxy-cpu-request: 100m', '    spec:', '      containers:',
      `        - name: app`, `          image: ghcr.io/example/${name}:1.0.${i}`, '          ports:', '            - containerPort: 8080',
      '          env:', '            - name: LOG_LEVEL', '              value: info', '          resources:', '            requests: {cpu: 100m, memory: 64Mi}', '',
    ].join('\n');
    case 3: case 4: return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  selector: {app: ${name}}\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n`;
    case 5: return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  config.yaml: |\n    server:\n      port: 8080\n      timeout: 30s\n`;
    case 6: return [
      'apiVersion: cert-manager.io/v1', 'kind: Certificate', 'metadata:', `  name: ${name}`, `  namespace: ${ns}`, 'spec:', `  secretName: ${name}-tls`,
      '  duration: 2160h0m0s', i % 997 === 6 ? '  renewBefore: 2200h0m0s' : '  renewBefore: 360h0m0s', `  dnsNames: [${name}.${ns}.svc]`,
      '  issuerRef:', `    name: ${ns}-ca`, '    kind: Issuer', '',
    ].join('\n');
    case 7: return `apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata:\n  name: ${ns}-ca-${i}\n  namespace: ${ns}\nspec:\n  selfSigned: {}\n`;
    case 8: return `apiVersion: trust.cert-manager.io/v1alpha1\nkind: Bundle\nmetadata:\n  name: ${name}\nspec:\n  sources:\n    - useDefaultCAs: true\n  target:\n    configMap:\n      key: ca.crt\n`;
    default: return [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', `  name: ${name}`, '  namespace: argocd', '  annotations:',
      `    argocd.argoproj.io/sync-wave: "${i % 5}"`, 'spec:', '  project: apps', '  source:', '    repoURL: https://git.example.com/apps.git',
      '    targetRevision: main', `    path: apps/${name}`, '  destination:', '    server: https://kubernetes.default.svc', `    namespace: ${ns}`, '',
    ].join('\n');
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-check-'));
try {
  const build = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.json')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('tsc failed');
  for (let f = 0; f * PER_FILE < OBJECTS; f++) {
    const docs = Array.from({ length: Math.min(PER_FILE, OBJECTS - f * PER_FILE) }, (_, k) => object(f * PER_FILE + k));
    fs.mkdirSync(path.join(tmp, `app-${f % 10}`), { recursive: true });
    fs.writeFileSync(path.join(tmp, `app-${f % 10}`, `manifests-${f}.yaml`), `# generated\n${docs.join('---\n')}`);
  }
  const once = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', '.'], { cwd: tmp, encoding: 'utf8', maxBuffer: 1 << 30 });
  const { summary } = JSON.parse(once.stdout);
  if (summary.objects !== OBJECTS || summary.errors === 0) throw new Error(`unexpected summary ${JSON.stringify(summary)}`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // exit 1 (the seeded mistakes) is the expected outcome; the CPU time (user + system) is what a shared machine's
    // load does not inflate, so it is reported beside the wall time
    const timed = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, BIN, 'check', '.'], { cwd: tmp, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (timed.status !== 1) throw new Error(`check exited ${timed.status}: ${timed.stderr}`);
    const [e, u, s] = timed.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    wall.push(e);
    cpu.push(u + s);
  }
  console.log(`cdk8s-linkerd check on ${OBJECTS} objects in ${OBJECTS / PER_FILE} files, ${ROUNDS} runs: median wall ${median(wall).toFixed(2)} s `
    + `(${wall.map(x => x.toFixed(2)).join(', ')}), median CPU ${median(cpu).toFixed(2)} s (${cpu.map(x => x.toFixed(2)).join(', ')}); `
    + `target 5 s; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs; ${summary.errors} errors, ${summary.warnings} warnings, ${summary.notes} notes`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
