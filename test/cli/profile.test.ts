import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, run, USAGE } from '../../src/cli/profile';

const REPO = path.resolve(__dirname, '../..');
const FIXTURES = path.join(REPO, 'test', 'traffic', 'fixtures');

function profile(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; }, stdin: () => stdin, cwd: FIXTURES });
  return { code, stdout, stderr };
}

const OPENAPI_TEST = JSON.stringify({
  swagger: '2.0',
  paths: {
    '/authors/{id}': { post: { 'responses': { 500: {} }, 'x-linkerd-retryable': true, 'x-linkerd-timeout': '60s' } },
    '/path/with/trailing/slash/': { get: {} },
  },
});

describe('npm run profile', () => {
  test('prints what linkerd profile --open-api prints, byte for byte (sorted keys, unindented lists, creationTimestamp: null)', () => {
    const { code, stdout, stderr } = profile(['--open-api', '-', '--namespace', 'myns', 'mysvc'], OPENAPI_TEST);
    expect({ code, stderr }).toStrictEqual({ code: EXIT_OK, stderr: '' });
    expect(stdout).toBe(`apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata:
  creationTimestamp: null
  name: mysvc.myns.svc.cluster.local
  namespace: myns
spec:
  routes:
  - condition:
      method: POST
      pathRegex: /authors/[^/]*
    isRetryable: true
    name: POST /authors/{id}
    responseClasses:
    - condition:
        status:
          max: 500
          min: 500
      isFailure: true
    timeout: 60s
  - condition:
      method: GET
      pathRegex: /path/with/trailing/slash/
    name: GET /path/with/trailing/slash/
`);
  });

  test('webapp.swagger -n booksapp webapp gives the booksapp docs\' profile', () => {
    const { code, stdout } = profile(['--open-api', 'webapp.swagger', '-n', 'booksapp', 'webapp']);
    expect(code).toBe(EXIT_OK);
    const doc = parse(stdout);
    expect(doc.metadata).toStrictEqual({ creationTimestamp: null, name: 'webapp.booksapp.svc.cluster.local', namespace: 'booksapp' });
    expect(doc.spec.routes.map((r: any) => `${r.condition.method} ${r.condition.pathRegex}`)).toStrictEqual([
      'GET /', 'POST /authors', 'GET /authors/[^/]*', 'POST /authors/[^/]*/delete', 'POST /authors/[^/]*/edit',
      'POST /books', 'GET /books/[^/]*', 'POST /books/[^/]*/delete', 'POST /books/[^/]*/edit',
    ]);
  });

  test('--proto, --cluster-domain, and warnings on stderr', () => {
    const { code, stdout, stderr } = profile(['--proto', 'emojivoto.proto', '-n', 'emojivoto', '--cluster-domain', 'example.org', 'voting-svc']);
    expect(code).toBe(EXIT_OK);
    const doc = parse(stdout);
    expect(doc.metadata.name).toBe('voting-svc.emojivoto.svc.example.org');
    expect(doc.spec.routes.map((r: any) => r.name)).toStrictEqual(['VotePoop', 'VoteJoy', 'VoteSmile', 'VoteFrown']);
    expect(stderr).toBe([
      'profile: warning: route "VoteJoy" is retryable but has no timeout: a hung request is never retried; set a timeout or defaultTimeout',
      'profile: warning: route "VoteSmile" is retryable but has no timeout: a hung request is never retried; set a timeout or defaultTimeout',
      '',
    ].join('\n'));
  });

  test('no routes gives spec: {}, as linkerd profile prints it', () => {
    expect(parse(profile(['--open-api', '-', 'svc'], 'openapi: 3.0.0\n').stdout).spec).toStrictEqual({});
  });

  test('--linkerd-version 2.14 mirrors the path.Join of older CLIs', () => {
    const { stdout } = profile(['--open-api', '-', '--linkerd-version', '2.14', 'svc'], OPENAPI_TEST);
    expect(parse(stdout).spec.routes[1].name).toBe('GET /path/with/trailing/slash');
  });

  test('--help', () => {
    expect(profile(['--help'])).toStrictEqual({ code: EXIT_OK, stdout: USAGE, stderr: '' });
  });

  test.each([
    [['svc'], 'profile: You must specify exactly one of --open-api or --proto (see --help)\n'],
    [['--open-api', 'a', '--proto', 'b', 'svc'], 'profile: You must specify exactly one of --open-api or --proto (see --help)\n'],
    [['--open-api', 'webapp.swagger'], 'profile: expected exactly one <service>, got none (see --help)\n'],
    [['--open-api', 'webapp.swagger', '--template', 'svc'], 'profile: unknown option --template (see --help)\n'],
    [['--open-api', 'webapp.swagger', '--linkerd-version', '2.15', 'svc'], 'profile: linkerd version "2.15" is not in the catalog: use one of 2.12, 2.13, 2.14, 2.16, 2.17, 2.18, 2.19, 2.20 (see --help)\n'],
  ])('fails with usage %p', (args, stderr) => {
    expect(profile(args)).toStrictEqual({ code: EXIT_USAGE, stdout: '', stderr });
  });

  test('fails when the service or namespace is not a valid name', () => {
    const result = profile(['--open-api', 'webapp.swagger', '-n', 'Books', 'webapp']);
    expect(result).toMatchObject({ code: EXIT_FAILED, stdout: '' });
    expect(result.stderr).toMatch(/^profile: service "webapp" namespace "Books" must be a DNS-1123 label/);
  });

  test('fails on a file over 8 MiB before reading it, and on a document nested too deeply', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-test-'));
    try {
      const big = path.join(dir, 'big.yaml');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 8 * 1024 * 1024 + 1);
      expect(profile(['--open-api', big, 'svc'])).toStrictEqual({ code: EXIT_FAILED, stdout: '', stderr: `profile: ${big} has 8388609 bytes; at most 8388608 (8 MiB) are read\n` });
      expect(profile(['--open-api', '-', 'svc'], `paths: ${'{a: '.repeat(200)}1${'}'.repeat(200)}\n`))
        .toStrictEqual({ code: EXIT_FAILED, stdout: '', stderr: 'profile: the OpenAPI document nests more than 100 levels deep (at line 1); at most 100 are read\n' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails when the file is missing or the document is invalid', () => {
    expect(profile(['--open-api', 'missing.yaml', 'svc']))
      .toStrictEqual({ code: EXIT_FAILED, stdout: '', stderr: `profile: cannot read ${path.join(FIXTURES, 'missing.yaml')}: no such file or directory, open '${path.join(FIXTURES, 'missing.yaml')}'\n` });
    expect(profile(['--open-api', '-', 'svc'], 'paths:\n  /x:\n    get:\n      x-linkerd-timeout: "60"\n'))
      .toStrictEqual({ code: EXIT_FAILED, stdout: '', stderr: 'profile: route "GET /x" timeout "60" must be a positive Go duration such as 500ms, 10s or 1m30s\n' });
  });

  test('the compiled command prints the same YAML (npm test builds lib/ first)', () => {
    const cli = path.join(REPO, 'lib', 'src', 'cli', 'profile.js');
    if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -p tsconfig.json first`);
    const env = { ...process.env };
    delete env.npm_lifecycle_event;
    const result = spawnSync(process.execPath, [cli, '--open-api', path.join(FIXTURES, 'webapp.swagger'), '-n', 'booksapp', 'webapp'], { encoding: 'utf8', env });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(profile(['--open-api', 'webapp.swagger', '-n', 'booksapp', 'webapp']).stdout);
  });
});
