import * as fs from 'fs';
import { schemaFindings } from './schema-validation';

/**
 * What `cdk8s synth` gives a validation plugin: the shape of cdk8s-cli's `ValidationContext`
 * (cdk8s-cli@2.207.60: lib/plugins/validation.d.ts), declared here so that the library does not depend on the CLI.
 */
export interface Cdk8sValidationContext {
  /** the synthesized manifest files */
  readonly manifests: readonly string[];
  /** where the plugin reports what it found */
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: readonly { readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  /** where the plugin logs */
  readonly logger: { log(message: string): void };
}

/** Properties of {@link SchemaValidationPlugin}: the `properties:` of its entry in cdk8s.yaml. */
export interface SchemaValidationPluginProps {
  /**
   * Whether an object of a kind without a vendored schema (a SealedSecret, a team's own CRD) fails the validation.
   * Otherwise it is logged as not checked, as `synthesize()` warns about it.
   *
   * @default false
   */
  readonly failOnUnknownKinds?: boolean;
}

/** The rule name the plugin reports its violations under. */
const RULE = 'schema: Kubernetes 1.25 and 1.36 definitions, vendored CRDs';

/**
 * The schema gate as a cdk8s validation plugin (`validations:` in cdk8s.yaml), for apps synthesized with
 * `cdk8s synth`: every object of the synthesized manifests is checked against the pinned schemas, as `synthesize()`
 * does, and each invalid object is a violation naming its fields. cdk8s-cli loads the class named in cdk8s.yaml from
 * the `package:` (a local path starting with `./`, or an npm package it installs), constructs it with the entry's
 * `properties:` and awaits `validate(context)` (cdk8s-cli@2.207.60: lib/plugins/_manager.js `PluginManager.load`,
 * lib/util.js `validateApp`); a failed report makes `cdk8s synth` exit 2.
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-linkerd/lib/src/gate/cdk8s-plugin.js
 *     version: 0.1.0
 *     class: SchemaValidationPlugin
 * ```
 */
export class SchemaValidationPlugin {
  private readonly failOnUnknownKinds: boolean;

  constructor(props: SchemaValidationPluginProps = {}) {
    this.failOnUnknownKinds = props.failOnUnknownKinds ?? false;
  }

  /**
   * Validates the manifests of a synthesis and submits the report.
   *
   * @param context what `cdk8s synth` passes: the manifest files, the report and the logger
   */
  public async validate(context: Cdk8sValidationContext): Promise<void> {
    const files = context.manifests.map(file => {
      const documents = readDocuments(file);
      // cdk8s-cli hands over every YAML file of the output folder (lib/util.js findManifests), which includes files an
      // app writes beside its charts' manifests (Helm values, reports); only a chart's *.k8s.yaml is all objects
      if (file.endsWith('.k8s.yaml')) return { file, documents };
      const objects = documents.filter(isObject);
      if (objects.length < documents.length) context.logger.log(`${file}: ${documents.length - objects.length} document(s) without apiVersion and kind skipped: not Kubernetes objects`);
      return { file, documents: objects };
    });
    const { invalid, unchecked } = schemaFindings(files);
    const resource = (file: string, object: any, locations: string[]) => ({ resourceName: String(object?.metadata?.name ?? '(unnamed)'), locations, manifestPath: file });
    if (invalid.length > 0) {
      context.report.addViolation({
        ruleName: RULE,
        recommendation: 'Kubernetes (or the CRD\'s API server) rejects these objects or drops the fields named; fix each field as its message says',
        fix: 'correct the construct\'s props, or the escape-hatch patch (addJsonPatch) that set the field',
        violatingResources: invalid.map(f => resource(f.file, f.object, f.messages.map(m => `${f.name}: ${m}`))),
      });
    }
    if (unchecked.length > 0 && this.failOnUnknownKinds) {
      context.report.addViolation({
        ruleName: 'schema: kinds without a vendored schema',
        recommendation: 'these objects could not be checked: no schema of their kind is vendored',
        fix: 'vendor the kind\'s CRD, or set failOnUnknownKinds: false to accept them unchecked',
        violatingResources: unchecked.map(u => resource(u.file, u.object, [u.message])),
      });
    } else {
      unchecked.forEach(u => context.logger.log(`${u.file}: ${u.message}`));
    }
    const objects = files.reduce((n, f) => n + f.documents.length, 0);
    const failed = invalid.length > 0 || (unchecked.length > 0 && this.failOnUnknownKinds);
    context.report.submit(failed ? 'failure' : 'success', { objects: String(objects), invalid: String(invalid.length), unchecked: String(unchecked.length) });
  }
}

function isObject(doc: any): boolean {
  return typeof doc?.apiVersion === 'string' && typeof doc?.kind === 'string';
}

/** the objects of a manifest file; a file that is not YAML is an error naming it */
function readDocuments(file: string): unknown[] {
  // required here: the package's index exports the plugin, and a synth that does not run it need not load yaml
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(doc => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS();
  }).filter(obj => obj !== null && obj !== undefined);
}
