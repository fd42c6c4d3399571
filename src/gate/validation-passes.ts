import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The file, in the validators' folder, that keeps the digests of the objects that passed the gate. @internal */
export const PASSES_FILE = 'passed.json';

/** How many passes the file keeps: those of the last synth first, then older ones. @internal */
export const PASSES_KEPT = 4096;

/**
 * The objects that passed the schema gate (their schema in every vendored release, and their CEL rules) in an
 * earlier process, by a digest of their exact JSON, kept beside the precompiled validators. A synth whose objects are
 * unchanged then loads no validator module and not the CEL library; after an edit, only the kinds of the objects that
 * changed are loaded.
 *
 * Sound because a verdict is a pure function of the object and the validators: the digest covers the whole object,
 * and the file belongs to one gate identity (the validators' index: their compiler and the sha256 of every schema file
 * they were compiled from; and `CEL_EVALUATOR_DIGEST`: the CEL rules, src/gate/cel.ts and the CEL, protobuf and RE2
 * library versions); a file of another identity is ignored. Only passes are kept: an object with a problem, or with a
 * CEL rule that cannot be evaluated, is validated every time. Whoever can write the file can also write the validators
 * beside it, so it grants no one anything new.
 *
 * @internal
 */
export class ValidationPasses {
  /** The passes kept in `dir` for this gate identity; none when there is no file, it is unreadable or of another. */
  public static open(dir: string, identity: string): ValidationPasses {
    let kept: readonly string[] = [];
    try {
      const file = JSON.parse(fs.readFileSync(path.join(dir, PASSES_FILE), 'utf8'));
      if (file?.identity === identity && Array.isArray(file.passed)) kept = file.passed.filter((k: unknown) => typeof k === 'string');
    } catch {
      // no passes kept yet
    }
    return new ValidationPasses(dir, identity, kept);
  }

  /** The digest that identifies an object: sha256 of its JSON, as rendered (128 bits, hex). */
  public static key(object: unknown): string {
    return createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 32);
  }

  private readonly kept: Set<string>;
  /** how many objects this process looked up */
  private consulted = 0;
  /** the passes this process saw, in order */
  private readonly seen = new Set<string>();
  private added = false;

  private constructor(private readonly dir: string, private readonly identity: string, kept: readonly string[]) {
    this.kept = new Set(kept);
  }

  /**
   * The key of an object to look up, or undefined once this process has looked up {@link PASSES_KEPT} objects: no more
   * could be kept, and an app that large would otherwise pay for a digest of every object (at 10,000 meshed services,
   * 60,000 objects) to find at most that many.
   */
  public keyOf(object: unknown): string | undefined {
    if (this.consulted >= PASSES_KEPT) return undefined;
    this.consulted++;
    return ValidationPasses.key(object);
  }

  /** Whether an object with this key passed before; remembers it for {@link save}. */
  public passed(key: string): boolean {
    if (!this.kept.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** Records that the object with this key passed. */
  public pass(key: string): void {
    this.seen.add(key);
    this.added = true;
  }

  /**
   * Writes the passes when this process found new ones: those it saw first, then the older ones, at most
   * {@link PASSES_KEPT}. A folder that cannot be written to (a read-only node_modules) only leaves the next synth to
   * validate again.
   */
  public save(): void {
    if (!this.added) return;
    const passed = [...new Set([...this.seen, ...this.kept])].slice(0, PASSES_KEPT);
    try {
      const file = path.join(this.dir, PASSES_FILE);
      const temporary = `${file}.${process.pid}`;
      fs.writeFileSync(temporary, JSON.stringify({ identity: this.identity, passed }));
      fs.renameSync(temporary, file);
      this.added = false;
    } catch {
      // the passes only save time
    }
  }
}
