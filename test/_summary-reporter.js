// Prints the plain closing line CI tooling reads ("N passed, N failed"; jest's own summary is not one it knows).
// Jest always runs its summary reporter after custom ones, so the line is written at exit to stay the last line.
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = ClosingLineReporter;
