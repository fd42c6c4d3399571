const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes `IsDNS1123Label`: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** Kubernetes `IsDNS1123Subdomain`: at most 253 characters of dot-separated DNS-1123 labels. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every(isDns1123Label);
}

/** The problem with a DNS-1123 label, or undefined when it is valid. */
export function dns1123LabelProblem(what: string, value: string): string | undefined {
  return isDns1123Label(value) ? undefined
    : `${what} ${JSON.stringify(value)} must be a DNS-1123 label (at most 63 lowercase alphanumerics or '-', starting and ending with an alphanumeric)`;
}

/** The problem with a DNS-1123 subdomain, or undefined when it is valid. */
export function dns1123SubdomainProblem(what: string, value: string): string | undefined {
  return isDns1123Subdomain(value) ? undefined
    : `${what} ${JSON.stringify(value)} must be a DNS-1123 subdomain (at most 253 lowercase alphanumerics, '-' or '.', each dot-separated part starting and ending with an alphanumeric)`;
}

/** Kubernetes `IsQualifiedName`, used for label and annotation keys: an optional DNS-1123 subdomain prefix, '/', and a name of at most 63 characters. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !isDns1123Subdomain(parts[0])) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** Kubernetes `IsValidLabelValue`: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Problems with a label map, as Kubernetes `ValidateLabels` reports them. */
export function labelProblems(what: string, labels: Record<string, string> | undefined): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(key)) problems.push(`${what} key ${JSON.stringify(key)} must be a qualified name (an optional DNS-1123 subdomain prefix and '/', then at most 63 alphanumerics, '-', '_' or '.')`);
    if (!isLabelValue(value)) problems.push(`${what} value ${JSON.stringify(value)} for ${JSON.stringify(key)} must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`);
  }
  return problems;
}

/** Problems with an annotation map's keys, as Kubernetes `ValidateAnnotations` reports them. */
export function annotationProblems(what: string, annotations: Record<string, string> | undefined): string[] {
  return Object.keys(annotations ?? {})
    .filter(key => !isQualifiedName(key))
    .map(key => `${what} key ${JSON.stringify(key)} must be a qualified name (an optional DNS-1123 subdomain prefix and '/', then at most 63 alphanumerics, '-', '_' or '.')`);
}
