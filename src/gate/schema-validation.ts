import type { SchemaGate } from './schema-gate';
import { ValidationError } from '../_internal/errors';

/**
 * Whether {@link synthesize} checks every synthesized object against the pinned schemas (the Kubernetes 1.25 and 1.36
 * OpenAPI definitions and the vendored CRDs in `crds/`, see `SchemaGate`). On unless turned off with a reason.
 */
export class SchemaValidation {
  /** Every object is validated; an invalid object, or one of a kind without a vendored schema, fails the synthesis. */
  public static on(): SchemaValidation {
    return new SchemaValidation(true, undefined);
  }

  /**
   * No schema check. The reason is required so that turning the gate off is a recorded decision, not a default.
   *
   * @param reason why the output is not validated, e.g. 'emits example.com/v1 Widget, which has no vendored schema'
   */
  public static off(reason: string): SchemaValidation {
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new ValidationError(`reason must say why schema validation is off (got ${JSON.stringify(reason)})`, 'SchemaValidation.off');
    }
    return new SchemaValidation(false, reason.trim());
  }

  private constructor(
    /** Whether objects are validated. */
    public readonly enabled: boolean,
    /** Why validation is off; undefined when it is on. */
    public readonly reason: string | undefined,
  ) {}
}

let gate: SchemaGate | undefined;

/**
 * What the schema gate found in the manifests.
 *
 * @internal
 */
export interface SchemaCheck {
  /** One message per invalid object: `<file>: <Kind> <namespace>/<name>: <field> <what is allowed>[; …]`. */
  readonly problems: string[];
  /** The objects of a kind without a vendored schema, not checked, with their file and a warning. */
  readonly unchecked: { readonly file: string; readonly object: any; readonly message: string }[];
}

/**
 * Checks the objects of the given manifest files. An object of a kind without a vendored schema (a SealedSecret, an
 * ExternalSecret, a team's own CRD) is not a problem but `unchecked`, for a warning: Kubernetes accepts it when its
 * CRD is installed, which the gate cannot know. The gate (ajv and ~2.4 MB of JSON) is loaded on first use and kept
 * for later syntheses in the process.
 *
 * @internal
 */
export function schemaCheck(files: readonly { readonly file: string; readonly documents: readonly unknown[] }[]): SchemaCheck {
  // required here, not imported: an app that turns validation off never loads ajv or the schemas
  gate ??= (require('./schema-gate') as typeof import('./schema-gate')).SchemaGate.load();
  const problems: string[] = [];
  const unchecked: SchemaCheck['unchecked'] = [];
  for (const { file, documents } of files) {
    for (const obj of documents as any[]) {
      if (typeof obj?.apiVersion === 'string' && typeof obj?.kind === 'string' && !gate.hasSchema(obj.apiVersion, obj.kind)) {
        unchecked.push({ file, object: obj, message: `not schema-validated: no vendored schema exists for apiVersion ${obj.apiVersion}, kind ${obj.kind}` });
        continue;
      }
      const found = gate.validate(obj);
      if (found.length > 0) problems.push(`${file}: ${found[0].object}: ${found.map(p => p.message).join('; ')}`);
    }
  }
  gate.saveCodeCache();
  return { problems, unchecked };
}
