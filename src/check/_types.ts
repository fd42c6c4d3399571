/**
 * The shapes shared by `cdk8s-linkerd check` and its rule families (schema, cert-manager, trust-manager, Linkerd,
 * Argo CD). A rule family reads the whole input at once (a Server's overlap or a ServiceProfile's conflicts need the
 * other objects) and returns findings; the command prints, counts and exits.
 *
 * @internal
 */

/** A Kubernetes object as parsed from YAML, with where it was read. */
export interface SourceObject {
  /** The object (apiVersion, kind, metadata, …) as parsed. */
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly metadata?: any; readonly [key: string]: any };
  /** The file it was read from, as given on the command line (relative paths stay relative). */
  readonly file: string;
  /** The 1-based line of the document's first line in that file. */
  readonly line: number;
}

/**
 * - `error`: what Kubernetes or an upstream admission webhook would reject, or what would break or silently
 *   misbehave in the cluster (exit 1);
 * - `warning`: our stricter safety lints (an error with `--strict`);
 * - `note`: information, e.g. a reference to an object that is not in the input (the input may be a partial view).
 */
export type Severity = 'error' | 'warning' | 'note';

/** One finding of a rule about one object (or about the input as a whole when `source` is absent). */
export interface Finding {
  readonly severity: Severity;
  /** The rule's id, `<family>/<rule>`, e.g. 'linkerd/service-profile-route-regex' (SARIF's ruleId). */
  readonly rule: string;
  /** What is wrong, naming the offending value and what is allowed. */
  readonly message: string;
  /** The object the finding is about. */
  readonly source?: SourceObject;
  /**
   * Where the finding is when it is not about one object: a document that did not parse or is not a Kubernetes
   * object, a private key in a comment. Ignored when `source` is set.
   */
  readonly location?: { readonly file: string; readonly line: number };
}

/** A family of rules run over the whole input. */
export interface RuleFamily {
  /** e.g. 'schema', 'cert-manager', 'trust-manager', 'linkerd', 'argocd' */
  readonly name: string;
  /** Runs every rule of the family over the input. */
  run(objects: readonly SourceObject[]): Finding[];
}
