import { LinkerdPlatform } from './platform';
import { formatSummary, synthesize } from './synth';

/**
 * `npm run synth`: renders the default platform into dist/ (or `CDK8S_OUTDIR` under `cdk8s synth`), atomically,
 * and prints a summary. A failure prints one error and leaves the previous dist/ untouched.
 */
function main(): number {
  try {
    const report = synthesize(app => new LinkerdPlatform(app, 'platform'));
    console.log(formatSummary(report));
    return 0;
  } catch (e) {
    console.error(`synth failed; the previous output was left unchanged.\n${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = main();
