import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart } from 'cdk8s';
import { Application, ApplicationSource } from './argocd/application';
import { rolloutReport } from './argocd/rollout';
import { MeshCoverage } from './mesh/coverage';
import { LinkerdPlatform } from './platform';
import { formatSummary, synthesize } from './synth';
import { HtpasswdUser } from './viz/htpasswd-user';

/**
 * `npm run synth`: renders the default platform into dist/ (or `CDK8S_OUTDIR` under `cdk8s synth`), atomically,
 * and prints a summary. A failure prints one error and leaves the previous dist/ untouched.
 *
 * The Argo CD root Application points at this repository (`repository.url` in package.json), folder `dist`; the
 * dashboard is exposed at `config.dashboardHost`, with users from DASHBOARD_USER and DASHBOARD_PASSWORD (or
 * DASHBOARD_HTPASSWD_FILE), else an existing Secret.
 */
function main(): number {
  try {
    const pkg = JSON.parse(fs.readFileSync(findPackageJson(__dirname), 'utf8'));
    const report = synthesize(app => {
      new LinkerdPlatform(app, 'platform', { dashboard: { hosts: [pkg.config.dashboardHost], users: dashboardUsers() } });
      const root = new Chart(app, 'argocd-root');
      new Application(root, 'root', {
        metadata: { name: 'linkerd-platform' },
        source: ApplicationSource.directory({ repoUrl: pkg.repository.url, path: 'dist', targetRevision: pkg.config?.argocdRevision ?? 'HEAD' }),
        automated: { prune: true, selfHeal: true },
      });
    }, { reports: [rolloutReport()] });
    console.log(formatSummary(report));
    const coverage = report.extraFiles.find(f => f.file === 'reports/mtls-coverage.json');
    if (coverage) console.log(MeshCoverage.format(coverage.documents[0]));
    return 0;
  } catch (e) {
    console.error(`synth failed; the previous output was left unchanged.\n${(e as Error).message}`);
    return 1;
  }
}

/** Dashboard users from DASHBOARD_USER + DASHBOARD_PASSWORD or DASHBOARD_HTPASSWD_FILE; undefined when neither is set. */
function dashboardUsers(): HtpasswdUser[] | undefined {
  const file = process.env.DASHBOARD_HTPASSWD_FILE;
  if (file) return HtpasswdUser.fromFile(file);
  const user = HtpasswdUser.fromEnv('DASHBOARD_USER', 'DASHBOARD_PASSWORD');
  return user ? [user] : undefined;
}

function findPackageJson(dir: string): string {
  const candidate = path.join(dir, 'package.json');
  if (fs.existsSync(candidate)) return candidate;
  if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}: run the app from the project's lib/ folder`);
  return findPackageJson(path.dirname(dir));
}

process.exitCode = main();
