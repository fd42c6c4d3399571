import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The file, in the validators' folder, that keeps the digests of the objects that passed their CEL rules. @internal */
export const CEL_VERDICTS_FILE = 'cel-passed.json';

/** How many passes the file keeps: those of the last synth first, then older ones. @internal */
export const CEL_VERDICTS_KEPT = 4096;

/**
 * The objects that passed every CEL rule of their kind in an earlier synth, by a digest of their exact JSON, kept
 * beside the precompiled validators so that a synth whose CEL objects are unchanged never loads the CEL library
 * (@bufbuild/cel and the protobuf runtime it boots: about half of what validation adds to the default synth).
 *
 * Sound because a verdict is a pure function of the object, the rules and the evaluator: the digest covers the whole
 * object; the file belongs to one `CEL_EVALUATOR_DIGEST` (the vendored rules, src/gate/cel.ts and the versions of the
 * CEL, protobuf and RE2 libraries, regenerated and checked by test/gate/cel-index.test.ts), and a file of another is
 * ignored. Only passes are kept: a failing object, or one with a rule that cannot be evaluated, is evaluated every
 * time. Whoever can write the file can also write the validators beside it, so it grants no one anything new.
 *
 * @internal
 */
export class CelVerdicts {
  /**
   * The passes kept in `dir` for this evaluator; empty when there is no file, it is unreadable or of another
   * evaluator.
   */
  public static open(dir: string, evaluator: string): CelVerdicts {
    let kept: readonly string[] = [];
    try {
      const file = JSON.parse(fs.readFileSync(path.join(dir, CEL_VERDICTS_FILE), 'utf8'));
      if (file?.evaluator === evaluator && Array.isArray(file.passed)) kept = file.passed.filter((k: unknown) => typeof k === 'string');
    } catch {
      // no passes kept yet
    }
    return new CelVerdicts(dir, evaluator, kept);
  }

  /** The digest that identifies an object: sha256 of its JSON, as rendered (128 bits, hex). */
  public static key(object: unknown): string {
    return createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 32);
  }

  private readonly kept: Set<string>;
  /** the passes this process saw, in order */
  private readonly seen = new Set<string>();
  private added = false;

  private constructor(private readonly dir: string, private readonly evaluator: string, kept: readonly string[]) {
    this.kept = new Set(kept);
  }

  /** Whether an object with this key passed before; remembers it for {@link save}. */
  public passed(key: string): boolean {
    if (!this.kept.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** Records that the object with this key passed every rule. */
  public pass(key: string): void {
    this.seen.add(key);
    this.added = true;
  }

  /**
   * Writes the passes when this process found new ones: those it saw first, then the older ones, at most
   * {@link CEL_VERDICTS_KEPT}. A folder that cannot be written to (a read-only node_modules) only leaves the next
   * synth to evaluate again.
   */
  public save(): void {
    if (!this.added) return;
    const passed = [...new Set([...this.seen, ...this.kept])].slice(0, CEL_VERDICTS_KEPT);
    try {
      const file = path.join(this.dir, CEL_VERDICTS_FILE);
      const temporary = `${file}.${process.pid}`;
      fs.writeFileSync(temporary, JSON.stringify({ evaluator: this.evaluator, passed }));
      fs.renameSync(temporary, file);
      this.added = false;
    } catch {
      // the passes only save time
    }
  }
}
