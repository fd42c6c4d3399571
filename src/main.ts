import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart } from 'cdk8s';
import { addNextStep } from './_internal/next-steps';
import { AppProject } from './argocd/app-project';
import { Application, ApplicationSource } from './argocd/application';
import { rolloutReport } from './argocd/rollout';
import { MeshCoverage } from './mesh/coverage';
import { DASHBOARD_AUTH_SECRET, LinkerdPlatform } from './platform';
import { formatSummary, synthesize } from './synth';
import { BasicAuthSecret } from './viz/basic-auth-secret';
import { HtpasswdUser } from './viz/htpasswd-user';
import { VIZ_NAMESPACE } from './viz/viz';

/** The Argo CD project of the root Application and of the chart Applications, instead of the unrestricted `default`. */
const PROJECT = 'linkerd-platform';

/**
 * `npm run synth`: renders the default platform into dist/ (or `CDK8S_OUTDIR` under `cdk8s synth`), atomically,
 * and prints a summary. A failure prints one error and leaves the previous dist/ untouched.
 *
 * The Argo CD root Application points at this repository (`repository.url` in package.json), folder `dist`, in an
 * AppProject restricted to that repository, the charts and the namespaces and cluster-scoped kinds the platform uses; the
 * dashboard is exposed at `config.dashboardHost`, with users from DASHBOARD_USER and DASHBOARD_PASSWORD (or
 * DASHBOARD_HTPASSWD_FILE), else an existing Secret.
 */
function main(): number {
  try {
    const pkg = JSON.parse(fs.readFileSync(findPackageJson(__dirname), 'utf8'));
    const report = synthesize(app => {
      // the last dist/'s bcrypt lines are kept while they verify, so dist/ changes only when a password does
      const previousHtpasswd = BasicAuthSecret.previousHtpasswd(process.env.CDK8S_OUTDIR ?? 'dist', DASHBOARD_AUTH_SECRET, VIZ_NAMESPACE);
      const platform = new LinkerdPlatform(app, 'platform', {
        dashboard: { hosts: [pkg.config.dashboardHost], users: dashboardUsers(), previousHtpasswd },
        argoCdProject: PROJECT,
        demo: true,
      });
      const root = new Chart(app, 'argocd-root');
      if (isPlaceholderUrl(pkg.repository?.url)) {
        addNextStep(root, `set repository.url in package.json to this repository's git URL (now ${JSON.stringify(pkg.repository?.url)}, an example): `
          + 'the root Application syncs dist/ from it, and then synth again');
      }
      const scope = platform.projectScope();
      const project = new AppProject(root, 'project', {
        metadata: { name: PROJECT },
        description: 'The Linkerd platform: this repository\'s dist/ and the charts it names, in the namespaces it uses',
        sourceRepos: [pkg.repository.url, ...scope.sourceRepos],
        destinationNamespaces: scope.namespaces,
        clusterResources: scope.clusterResources,
      });
      new Application(root, 'root', {
        metadata: { name: 'linkerd-platform' },
        project: project.name,
        source: ApplicationSource.directory({ repoUrl: pkg.repository.url, path: 'dist', targetRevision: pkg.config?.argocdRevision ?? 'HEAD' }),
        automated: { prune: true, selfHeal: true },
      });
    }, { reports: [rolloutReport()] });
    // the summary comes last, so that its next-steps checklist ends the output
    const coverage = report.extraFiles.find(f => f.file === 'reports/mtls-coverage.json');
    if (coverage) console.log(MeshCoverage.format(coverage.documents[0]));
    console.log(formatSummary(report));
    return 0;
  } catch (e) {
    // `cdk8s synth` deletes its output folder before it runs the app, so under it there is nothing left to keep
    const kept = process.env.CDK8S_OUTDIR === undefined ? 'the previous output was left unchanged'
      : `cdk8s synth deleted ${process.env.CDK8S_OUTDIR}/ before running the app; npm run synth keeps the previous output on failure`;
    console.error(`synth failed; ${kept}.\n${(e as Error).message}`);
    return 1;
  }
}

/** Whether a repository URL is still the example one (a reserved example domain, RFC 2606). */
function isPlaceholderUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url === '') return true;
  try {
    return /(^|\.)example\.(com|org|net)$/.test(new URL(url.replace(/^git\+/, '')).hostname);
  } catch {
    return true;
  }
}

/**
 * Dashboard users from DASHBOARD_HTPASSWD_FILE (a committed file of bcrypt lines: `npm run htpasswd -- add <user>`) or
 * DASHBOARD_USER + DASHBOARD_PASSWORD; undefined when none is set.
 */
function dashboardUsers(): HtpasswdUser[] | undefined {
  const file = process.env.DASHBOARD_HTPASSWD_FILE;
  if (file) {
    if (!fs.existsSync(file)) throw new Error(`DASHBOARD_HTPASSWD_FILE names ${file}, which does not exist: create it with npm run htpasswd -- add <user> --file ${file}`);
    return HtpasswdUser.fromFile(file);
  }
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
