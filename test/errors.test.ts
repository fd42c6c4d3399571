import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { ValidationError } from '../src';
import { LinkerdVersion } from '../src/linkerd';
import { OutputCheckError, OutputFileConflictError } from '../src/synth';
import { HtpasswdUser } from '../src/viz';

const SRC = path.resolve(__dirname, '..', 'src');
// The documented exceptions. Repo tools, not shipped in the package (its `files` leave them out): the CLIs, the schema
// gate, the app. One internal invariant: the package's own vendored chart values are missing (an installation fault,
// not an input). One internal error class, caught at the construct boundary and rethrown as a ValidationError
// (traffic/service-profile.ts) or shown by the profile CLI.
const PLAIN_ERRORS_ALLOWED = [/^cli\//, /^gate\//, /^main\.ts$/, /^linkerd\/_chart-values\.ts$/];
const ERROR_CLASSES_ALLOWED = [/^cli\//, /^gate\//, /^traffic\/_generators\.ts$/];

/** Source files (relative to src, with /) and their text, comments removed so that prose never counts. */
function sources(): Array<[string, string]> {
  return (fs.readdirSync(SRC, { recursive: true, encoding: 'utf8' }) as string[])
    .filter(f => f.endsWith('.ts'))
    .map(f => [f.split(path.sep).join('/'), fs.readFileSync(path.join(SRC, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')]);
}

/** `throw new Error(…)`, `throw new TypeError(…)` and the other built-in errors, with or without `new`. */
const BUILT_IN_THROW = /throw\s+(?:new\s+)?(?:Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError)\s*\(/;
/** A class of its own that is an Error but not a ValidationError. */
const OWN_ERROR_CLASS = /class\s+(\w+)\s+extends\s+(?:Error|TypeError|RangeError)\b/g;

describe('one error contract', () => {
  test('the library throws no built-in Error for a bad input: each is a repo tool\'s or the one internal invariant', () => {
    const offenders = sources().filter(([f, text]) => !PLAIN_ERRORS_ALLOWED.some(re => re.test(f)) && BUILT_IN_THROW.test(text)).map(([f]) => f);
    expect(offenders).toStrictEqual([]);
  });

  test('every error class of the library is a ValidationError (OutputCheckError, OutputFileConflictError)', () => {
    const classes = sources().filter(([f]) => !ERROR_CLASSES_ALLOWED.some(re => re.test(f)))
      .flatMap(([f, text]) => [...text.matchAll(OWN_ERROR_CLASS)].map(m => `${f}: ${m[1]}`));
    expect(classes).toStrictEqual(['_internal/errors.ts: ValidationError']);
    expect(new OutputCheckError(['a problem'])).toBeInstanceOf(ValidationError);
    expect(new OutputFileConflictError('a problem', new Chart(Testing.app(), 'c'))).toBeInstanceOf(ValidationError);
  });

  test('the scans see what they look for (a throw and an error class in a sample)', () => {
    expect(BUILT_IN_THROW.test('if (x) throw new TypeError(`bad`);')).toBe(true);
    expect(BUILT_IN_THROW.test('throw Error("bad")')).toBe(true);
    expect(BUILT_IN_THROW.test('throw new ValidationError(`bad`, this);')).toBe(false);
    expect([...'export class FooError extends Error {}'.matchAll(OWN_ERROR_CLASS)].map(m => m[1])).toStrictEqual(['FooError']);
  });

  test('inputs given outside any construct fail with a ValidationError naming the static method', () => {
    expect(() => LinkerdVersion.of('2.15')).toThrow(ValidationError);
    process.env.ERRORS_TEST_USER = 'admin';
    try {
      expect(() => HtpasswdUser.fromEnv('ERRORS_TEST_USER', 'ERRORS_TEST_PASSWORD')).toThrow(ValidationError);
    } finally {
      delete process.env.ERRORS_TEST_USER;
    }
    expect(new ValidationError('a problem', 'LinkerdVersion.of').constructPath).toBe('LinkerdVersion.of');
  });
});
