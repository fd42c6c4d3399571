import * as fs from 'node:fs';
import * as path from 'node:path';

interface LockEntry {
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The lock key of the package that requires from `key` would find for `name` (node's lookup, nearest node_modules first). */
function resolve(packages: Record<string, LockEntry>, key: string, name: string): string | undefined {
  for (let from = key; ; from = from.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const candidate = `${from ? `${from}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!from) return undefined;
  }
}

/** A directory tree again at `to`, every file a hard link to the original (same file system: no bytes copied). */
function hardLinkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) hardLinkTree(source, target);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else fs.linkSync(source, target);
  }
}

/**
 * Puts into `consumer/node_modules` the packages npm would install for `roots` (and what they depend on, not
 * optional ones), as hard links to the repository's own `node_modules`, at the places the repository's lock gives
 * them. The `npm install` that follows then finds every dependency satisfied and only unpacks and links the package
 * under test, instead of unpacking ~60 MB of dependencies again; what it finds missing or extraneous, it still fixes
 * itself. Returns the top-level package names it placed.
 */
export function placeDependencies(repo: string, consumer: string, roots: readonly string[]): string[] {
  const packages: Record<string, LockEntry> = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')).packages;
  const seen = new Set<string>();
  const topLevel = new Set<string>();
  const visit = (from: string, name: string) => {
    const key = resolve(packages, from, name);
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    topLevel.add(/^node_modules\/((@[^/]+\/)?[^/]+)/.exec(key)![1]);
    const entry = packages[key];
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(key, dep);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) if (!optionalPeers[dep]?.optional) visit(key, dep);
  };
  for (const name of roots) visit('', name);
  for (const name of topLevel) hardLinkTree(path.join(repo, 'node_modules', name), path.join(consumer, 'node_modules', name));
  // their commands too: npm reinstalls a package whose bin links are missing
  const bin = path.join(repo, 'node_modules', '.bin');
  fs.mkdirSync(path.join(consumer, 'node_modules', '.bin'), { recursive: true });
  for (const command of fs.readdirSync(bin)) {
    const target = fs.readlinkSync(path.join(bin, command));
    const owner = /^\.\.\/((@[^/]+\/)?[^/]+)\//.exec(target)?.[1];
    if (owner !== undefined && topLevel.has(owner)) fs.symlinkSync(target, path.join(consumer, 'node_modules', '.bin', command));
  }
  return [...topLevel].sort();
}
