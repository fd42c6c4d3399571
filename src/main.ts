import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart } from 'cdk8s';
import { Application, ApplicationSource } from './argocd/application';
import { LinkerdPlatform } from './platform';
import { formatSummary, synthesize } from './synth';

/**
 * `npm run synth`: renders the default platform into dist/ (or `CDK8S_OUTDIR` under `cdk8s synth`), atomically,
 * and prints a summary. A failure prints one error and leaves the previous dist/ untouched.
 *
 * The Argo CD root Application points at this repository (`repository.url` in package.json), folder `dist`.
 */
function main(): number {
  try {
    const pkg = JSON.parse(fs.readFileSync(findPackageJson(__dirname), 'utf8'));
    const report = synthesize(app => {
      new LinkerdPlatform(app, 'platform');
      const root = new Chart(app, 'argocd-root');
      new Application(root, 'root', {
        metadata: { name: 'linkerd-platform' },
        source: ApplicationSource.directory({ repoUrl: pkg.repository.url, path: 'dist', targetRevision: pkg.config?.argocdRevision ?? 'HEAD' }),
        automated: { prune: true, selfHeal: true },
      });
    });
    console.log(formatSummary(report));
    return 0;
  } catch (e) {
    console.error(`synth failed; the previous output was left unchanged.\n${(e as Error).message}`);
    return 1;
  }
}

function findPackageJson(dir: string): string {
  const candidate = path.join(dir, 'package.json');
  return fs.existsSync(candidate) ? candidate : findPackageJson(path.dirname(dir));
}

process.exitCode = main();
