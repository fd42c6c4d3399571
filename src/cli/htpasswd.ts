import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { HtpasswdUser } from '../viz/htpasswd-user';

/** The `--help` text. */
export const USAGE = `Usage: npm run htpasswd -- add <user> [--file <path>] [--cost <4-19>]
       npm run htpasswd -- remove <user> [--file <path>]

Keeps the dashboard's users as bcrypt lines in a file you commit; synth reads it with
DASHBOARD_HTPASSWD_FILE=<path>, so CI reproduces dist/ byte for byte without any password.
"add" reads the password from stdin (prompted without echo on a terminal), hashes it here
with a random salt, and keeps the user's line as it is when the password still verifies.

Options:
  --file <path>   the htpasswd file, created if missing (default dashboard.htpasswd)
  --cost <n>      bcrypt cost, 4 to 19 (default 10; ingress-nginx cannot verify above 19)
`;

/** What {@link updateHtpasswd} did. */
export interface HtpasswdUpdate {
  /** The new file content. */
  readonly content: string;
  /** added, changed, unchanged or removed. */
  readonly outcome: 'added' | 'changed' | 'unchanged' | 'removed';
}

/**
 * Adds or changes a user's bcrypt line in htpasswd content, keeping every other line (comments included) in place.
 * A line that still verifies the password at the same cost is kept byte for byte.
 */
export function updateHtpasswd(content: string, user: string, password: string | undefined, cost = 10): HtpasswdUpdate {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const index = lines.findIndex(l => l.startsWith(`${user}:`));
  if (password === undefined) {
    if (index < 0) throw new Error(`user ${JSON.stringify(user)} is not in the file`);
    lines.splice(index, 1);
    return { content: lines.map(l => `${l}\n`).join(''), outcome: 'removed' };
  }
  const candidate = HtpasswdUser.fromPassword(user, password);
  const problems = candidate._problems(cost);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const previous = index < 0 ? undefined : lines[index].slice(user.length + 1).trim();
  const line = candidate._line(cost, previous);
  const outcome = index < 0 ? 'added' : line === lines[index] ? 'unchanged' : 'changed';
  if (index < 0) lines.push(line); else lines[index] = line;
  return { content: lines.map(l => `${l}\n`).join(''), outcome };
}

/** Writes through a temporary file in the same folder, so a reader never sees half a file. */
function writeAtomically(file: string, content: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, content, { mode: 0o644 });
  fs.renameSync(temp, file);
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return fs.readFileSync(0, 'utf8').split(/\r?\n/)[0];
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stdout.write('Password: ');
  // echo nothing of what is typed
  (rl as any)._writeToOutput = () => undefined;
  const password = await new Promise<string>(resolve => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return password;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { file: { type: 'string' }, cost: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, user, ...rest] = parsed.positionals;
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!['add', 'remove'].includes(command ?? '') || !user || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const rawCost = parsed.values.cost;
  if (rawCost !== undefined && !/^\d+$/.test(rawCost)) {
    console.error(`htpasswd: --cost ${JSON.stringify(rawCost)} is not a whole number: use 4 to 19\n${USAGE}`);
    return 2;
  }
  const cost = rawCost === undefined ? 10 : Number(rawCost);
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), parsed.values.file ?? 'dashboard.htpasswd');
  try {
    const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const password = command === 'add' ? await readPassword() : undefined;
    const update = updateHtpasswd(content, user, password, cost);
    if (update.outcome !== 'unchanged') writeAtomically(file, update.content);
    console.log(`${user}: ${update.outcome} in ${file}`);
    return 0;
  } catch (e) {
    console.error(`htpasswd: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => { process.exitCode = code; });
}
