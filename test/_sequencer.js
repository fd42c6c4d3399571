// @ts-check
'use strict';
/**
 * Jest test sequencer: the slowest test files start first, also on a machine that has never run the suite.
 *
 * With two workers the run ends when the last file does; a 30 s file started last adds its whole time to the wall
 * clock. Jest's own sequencer orders by the durations of the last run, but keeps them in its cache, per machine
 * (a clean clone, as in CI, has none, and then it orders by file size, which says little: test/cli/synth.test.ts is
 * small and slow). This one takes a file's duration from that cache when there is one, else from the committed hint
 * test/_durations.json (relative seconds of the slow files), else counts it as quick; failed files still go first.
 *
 * Refresh the hint after a full run: `npx jest --json --outputFile=/tmp/j.json && node test/_sequencer.js /tmp/j.json`.
 */
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const HINT = path.join(__dirname, '_durations.json');
/** Files quicker than this are left out of the hint: their order hardly matters. */
const HINT_FLOOR_SECONDS = 2;

class SlowFirstSequencer extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  sort(tests) {
    /** @type {Record<string, number>} */
    const hint = JSON.parse(fs.readFileSync(HINT, 'utf8'));
    const root = path.dirname(__dirname);
    /** @param {import('@jest/test-result').Test} test */
    const seconds = test => {
      const cached = this.time(test);
      if (cached !== undefined) return cached / 1000;
      return hint[path.relative(root, test.path).split(path.sep).join('/')] ?? 0;
    };
    const keyed = tests.map(test => ({ test, failed: this.hasFailed(test), seconds: seconds(test) }));
    keyed.sort((a, b) => Number(b.failed) - Number(a.failed) || b.seconds - a.seconds || (a.test.path < b.test.path ? -1 : 1));
    return keyed.map(k => k.test);
  }
}

module.exports = SlowFirstSequencer;

if (require.main === module) {
  /** @type {{ testResults: { name: string, startTime: number, endTime: number }[] }} */
  const run = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const root = path.dirname(__dirname);
  const durations = run.testResults
    .map(r => [path.relative(root, r.name).split(path.sep).join('/'), Math.round((r.endTime - r.startTime) / 100) / 10])
    .filter(([, s]) => Number(s) >= HINT_FLOOR_SECONDS)
    .sort((a, b) => Number(b[1]) - Number(a[1]) || (a[0] < b[0] ? -1 : 1));
  fs.writeFileSync(HINT, `${JSON.stringify(Object.fromEntries(durations), null, 2)}\n`);
}
