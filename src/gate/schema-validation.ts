import { ValidationError } from '../_internal/errors';
import type { SchemaGate } from './schema-gate';

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
 * One invalid object, as the gate found it.
 *
 * @internal
 */
export interface SchemaFinding {
  /** the manifest file, as given */
  readonly file: string;
  /** the object */
  readonly object: any;
  /** `Kind namespace/name` or `Kind name` */
  readonly name: string;
  /** what is wrong, one message per field, e.g. 'kubernetes v1.25.0, v1.36.0: spec.selectr is not allowed (unknown field)' */
  readonly messages: string[];
}

/**
 * The process's schema gate, loaded on first use (its index and the validators of the kinds in use) and shared by
 * `synthesize()`, the cdk8s plugin and `cdk8s-linkerd check`; required here, not imported, so that an app that turns
 * validation off never loads the gate or its validators.
 *
 * @internal
 */
export function sharedSchemaGate(): SchemaGate {
  gate ??= (require('./schema-gate') as typeof import('./schema-gate')).SchemaGate.load();
  return gate;
}

/**
 * Why an object of a kind without a vendored schema was not checked.
 *
 * @internal
 */
export function noSchemaMessage(apiVersion: string, kind: string): string {
  return `not schema-validated: no vendored schema exists for apiVersion ${apiVersion}, kind ${kind}`;
}

/**
 * The gate's verdict on every object of some manifests: the invalid objects, and those of kinds without a vendored
 * schema (not checked). What {@link schemaCheck} and the cdk8s validation plugin report, each in its own form. The
 * gate (its index and the validators of the kinds in use) is loaded on first use and kept for later calls in the
 * process.
 *
 * @internal
 */
export function schemaFindings(files: readonly { readonly file: string; readonly documents: readonly unknown[] }[]): {
  readonly invalid: SchemaFinding[];
  readonly unchecked: SchemaCheck['unchecked'];
} {
  const gate = sharedSchemaGate();
  const invalid: SchemaFinding[] = [];
  const unchecked: SchemaCheck['unchecked'][number][] = [];
  for (const { file, documents } of files) {
    for (const obj of documents as any[]) {
      if (typeof obj?.apiVersion === 'string' && typeof obj?.kind === 'string' && !gate.hasSchema(obj.apiVersion, obj.kind)) {
        unchecked.push({ file, object: obj, message: noSchemaMessage(obj.apiVersion, obj.kind) });
        continue;
      }
      const found = gate.validate(obj);
      if (found.length > 0) invalid.push({ file, object: obj, name: found[0].object, messages: found.map(p => p.message) });
    }
  }
  // the validators' compiled code, for the next synth
  gate.saveCodeCache();
  return { invalid, unchecked };
}

/**
 * Checks the objects of the given manifest files. An object of a kind without a vendored schema (a SealedSecret, an
 * ExternalSecret, a team's own CRD) is not a problem but `unchecked`, for a warning: Kubernetes accepts it when its
 * CRD is installed, which the gate cannot know.
 *
 * @internal
 */
export function schemaCheck(files: readonly { readonly file: string; readonly documents: readonly unknown[] }[]): SchemaCheck {
  const { invalid, unchecked } = schemaFindings(files);
  return { problems: invalid.map(f => `${f.file}: ${f.name}: ${f.messages.join('; ')}`), unchecked };
}
