#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `node test/_parallel.js "<command>" "<command>"…`: runs shell commands at the same time, then prints each one's
 * output (stdout, then stderr), whole and in the order given, and exits with the first failure's code (0 when all
 * passed).
 *
 * `npm test` starts with three independent steps, each a single-threaded Node process: the build (lib/, which jest
 * needs), the type check of src/ and test/ (`tsc -p test/tsconfig.json`, which writes nothing but its build info) and
 * the lint. One after the other they leave a core idle; side by side they take about as long as the longest, which
 * matters most on a clean clone, where nothing is cached and each takes seconds.
 */
const { spawn } = require('node:child_process');

const commands = process.argv.slice(2);
if (commands.length === 0) {
  process.stderr.write('usage: node test/_parallel.js "<command>" "<command>"...\n');
  process.exit(2);
}

/** @param {string} command @returns {Promise<{ code: number, stdout: Buffer[], stderr: Buffer[] }>} */
function run(command) {
  return new Promise(resolve => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const stdout = [];
    /** @type {Buffer[]} */
    const stderr = [];
    child.stdout.on('data', chunk => stdout.push(chunk));
    child.stderr.on('data', chunk => stderr.push(chunk));
    child.on('error', error => resolve({ code: 127, stdout, stderr: [...stderr, Buffer.from(`${command}: ${error.message}\n`)] }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

Promise.all(commands.map(run)).then(results => {
  let failed = 0;
  results.forEach((result, i) => {
    process.stdout.write(Buffer.concat(result.stdout));
    process.stderr.write(Buffer.concat(result.stderr));
    if (result.code !== 0) {
      process.stderr.write(`\`${commands[i]}\` failed with exit code ${result.code}\n`);
      failed ||= result.code;
    }
  });
  process.exitCode = failed;
});
