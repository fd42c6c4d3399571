import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceObject } from './_types';
import { CheckResult, locationOf } from './engine';

/** The output formats of `check`. */
export const FORMATS = ['text', 'json', 'sarif'] as const;
/** One of {@link FORMATS}. */
export type Format = typeof FORMATS[number];

/** What each rule of the non-Linkerd families checks: SARIF's `shortDescription`, shown beside code-scanning alerts. */
const RULE_DESCRIPTIONS: Record<string, string> = {
  'input/unreadable': 'A path given to check cannot be read',
  'input/yaml': 'A file does not parse as YAML',
  'input/not-kubernetes': 'A document is not a Kubernetes object and is skipped',
  'input/helm-templates': 'Helm chart templates are skipped until rendered',
  'schema/invalid': 'The object does not match its Kubernetes or CRD schema',
  'schema/no-schema': 'No vendored schema exists for the kind: not schema-validated',
  'cert-manager/certificate': 'cert-manager\'s webhook rejects the Certificate',
  'cert-manager/issuer': 'cert-manager\'s webhook rejects the Issuer or ClusterIssuer',
  'cert-manager/issuer-not-in-input': 'The Certificate\'s issuer is not in the input',
  'cert-manager/ca-secret-not-in-input': 'The CA issuer\'s Secret is not in the input',
  'trust-manager/bundle': 'trust-manager\'s webhook or the Bundle CRD rejects the Bundle',
  'argocd/application': 'Argo CD refuses the Application or silently ignores part of it',
  'argocd/app-project': 'The AppProject restricts nothing (wildcards, the default project)',
  'argocd/rollout': 'A sync-wave race fails or stalls the Argo CD sync',
  'argocd/rollout-prerequisite': 'The sync needs something the input does not install',
  'secrets/private-key': 'A private key is committed in a manifest',
  'secrets/credential': 'A plaintext credential is committed in a manifest',
  'secrets/plaintext-secret': 'A Secret with plaintext data is committed',
};

/** `Kind namespace/name`, or `Kind name` for an object without a namespace. */
export function describeObject(object: SourceObject['object']): string {
  const meta = object.metadata ?? {};
  const name = [meta.namespace, meta.name].filter((x: unknown) => typeof x === 'string' && x !== '').join('/');
  return name === '' ? object.kind : `${object.kind} ${name}`;
}

/**
 * The findings as text, one line each: `file:line: severity: Kind namespace/name: message [rule]` (without the object
 * part for a finding about a document or a file, without `file:line: ` for one about the input as a whole), then a
 * summary line.
 */
export function formatText(result: CheckResult): string {
  const lines = result.findings.map(f => {
    const at = locationOf(f);
    return `${at ? `${at.file}:${at.line}: ` : ''}${f.severity}: ${f.source ? `${describeObject(f.source.object)}: ` : ''}${f.message} [${f.rule}]`;
  });
  const { error, warning, note } = result.counts;
  lines.push(`${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(note, 'note')} in ${plural(result.objects, 'object')} of ${plural(result.files, 'file')}`);
  return `${lines.join('\n')}\n`;
}

/** The findings as JSON: `{ summary, findings: [{ severity, rule, message, file, line, apiVersion, kind, namespace, name }] }`. */
export function formatJson(result: CheckResult): string {
  return `${JSON.stringify({
    summary: {
      files: result.files, objects: result.objects, errors: result.counts.error, warnings: result.counts.warning, notes: result.counts.note,
      exitCode: result.exitCode,
    },
    findings: result.findings.map(f => {
      const at = locationOf(f);
      const meta = f.source?.object.metadata ?? {};
      return {
        severity: f.severity,
        rule: f.rule,
        message: f.message,
        file: at?.file,
        line: at?.line,
        apiVersion: f.source?.object.apiVersion,
        kind: f.source?.object.kind,
        namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
        name: typeof meta.name === 'string' ? meta.name : undefined,
      };
    }),
  }, undefined, 2)}\n`;
}

/**
 * The findings as a SARIF 2.1.0 log (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/), for CI code-scanning
 * annotations: one run, the rules used (`tool.driver.rules`), one result per finding with its `ruleId`, `level`
 * (error, warning, note), message and, when it has one, a physical location: the file as a relative URI (or a
 * `file:` URI for an absolute path) and the start line. The object is named in the message.
 *
 * @param toolVersion the package's version, for `tool.driver.version`
 */
export function formatSarif(result: CheckResult, toolVersion: string): string {
  const ruleIds = [...new Set(result.findings.map(f => f.rule))].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  return `${JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk8s-linkerd check',
          version: toolVersion,
          rules: ruleIds.map(id => ({ id, shortDescription: { text: RULE_DESCRIPTIONS[id] ?? id } })),
        },
      },
      results: result.findings.map(f => {
        const at = locationOf(f);
        return {
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: f.severity,
          message: { text: f.source ? `${describeObject(f.source.object)}: ${f.message}` : f.message },
          ...(at ? { locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(at.file) }, region: { startLine: at.line } } }] } : {}),
        };
      }),
    }],
  }, undefined, 2)}\n`;
}

/** A file as given, as a SARIF artifact URI: relative with forward slashes, or `file:` when absolute. */
function fileUri(file: string): string {
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(path.sep).map(encodeURIComponent).join('/');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
