import * as fs from 'node:fs';
import * as path from 'node:path';
import { LinkerdVersion } from '../src/linkerd';
import { ValidationError } from '../src';
import { HtpasswdUser } from '../src/viz';

const SRC = path.resolve(__dirname, '..', 'src');
// repo tools, not shipped; and the one internal invariant: the package's own files are missing
const PLAIN_ERRORS_ALLOWED = [/^cli\//, /^gate\//, /^main\.ts$/, /^linkerd\/_chart-values\.ts$/];

describe('one error contract', () => {
  test('the library throws no plain Error for a bad input: every throw new Error is a repo tool\'s or an internal invariant', () => {
    const files = (fs.readdirSync(SRC, { recursive: true, encoding: 'utf8' }) as string[]).filter(f => f.endsWith('.ts')).map(f => f.split(path.sep).join('/'));
    const offenders = files.filter(f => !PLAIN_ERRORS_ALLOWED.some(re => re.test(f)) && /throw new Error\(/.test(fs.readFileSync(path.join(SRC, f), 'utf8')));
    expect(offenders).toStrictEqual([]);
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
