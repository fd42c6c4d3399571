// @ts-check
'use strict';
/**
 * Fails the run when a test wrote inside the repository.
 *
 * Tests work in the system's temporary directory; the only writes the repository sees during `npm test` are the
 * build's, into lib/, before jest starts. This reporter lists every file under the repository (path, size, mtime)
 * when the run starts and again when it ends, and reports any file created, changed or removed. lib/, node_modules/,
 * .git and coverage/ are left out. The docs scripts (`UPDATE_*=1 jest …`) rewrite tracked files on purpose, so
 * they are not checked.
 */
const fs = require('node:fs');
const path = require('node:path');

const SKIPPED = new Set(['.git', 'node_modules', 'lib', 'coverage']);

/** @param {string} root @returns {Map<string, string>} relative path -> size and mtime */
function listing(root) {
  const files = new Map();
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (dir === root && SKIPPED.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        const stat = fs.lstatSync(full);
        files.set(path.relative(root, full), `${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  walk(root);
  return files;
}

class HermeticReporter {
  /** @param {{ rootDir: string }} globalConfig */
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
    this.enabled = !Object.keys(process.env).some(name => name.startsWith('UPDATE_'));
    /** @type {Map<string, string> | undefined} */
    this.before = undefined;
    /** @type {Error | undefined} */
    this.error = undefined;
  }

  onRunStart() {
    if (this.enabled) this.before = listing(this.root);
  }

  onRunComplete() {
    if (!this.before) return;
    const after = listing(this.root);
    const changed = [...new Set([...this.before.keys(), ...after.keys()])].sort()
      .filter(file => this.before?.get(file) !== after.get(file))
      .map(file => `${file} (${!this.before?.has(file) ? 'created' : !after.has(file) ? 'removed' : 'changed'})`);
    if (changed.length > 0) {
      this.error = new Error(`tests wrote inside the repository ${this.root} (they must use the temporary directory): ${changed.join(', ')}`);
      process.stderr.write(`\n${this.error.message}\n`);
    }
  }

  getLastError() {
    return this.error;
  }
}
module.exports = HermeticReporter;
