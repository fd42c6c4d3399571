import { parseGoBool } from '../_internal/go-bool';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';

/** `linkerd.io/inject`: on a Namespace or a pod template, never on a workload's own metadata. */
export const INJECT = 'linkerd.io/inject';
/** `config.linkerd.io/default-inbound-policy`. */
export const DEFAULT_INBOUND_POLICY = 'config.linkerd.io/default-inbound-policy';
/** `config.linkerd.io/opaque-ports`. */
export const OPAQUE_PORTS = 'config.linkerd.io/opaque-ports';
/** `config.linkerd.io/skip-inbound-ports`. */
export const SKIP_INBOUND_PORTS = 'config.linkerd.io/skip-inbound-ports';
/** `config.linkerd.io/skip-outbound-ports`. */
export const SKIP_OUTBOUND_PORTS = 'config.linkerd.io/skip-outbound-ports';
/** The label that makes the proxy injector webhook skip a namespace. */
export const ADMISSION_WEBHOOKS_LABEL = 'config.linkerd.io/admission-webhooks';

/** The native-sidecar annotation keys, oldest first: alpha (2.15+), beta (2.19+), GA (2.20+). */
export const NATIVE_SIDECAR_KEYS = [
  'config.alpha.linkerd.io/proxy-enable-native-sidecar',
  'config.beta.linkerd.io/proxy-enable-native-sidecar',
  'config.linkerd.io/proxy-enable-native-sidecar',
];

/** Namespaces the proxy injector webhook never sees, by name (`l5d:charts/linkerd-control-plane` namespaceSelector). */
export const EXCLUDED_NAMESPACES = ['kube-system', 'cert-manager'];
/** Pod labels the proxy injector webhook skips (control-plane and CNI pods). */
export const EXCLUDED_POD_LABELS = ['linkerd.io/control-plane-component', 'linkerd.io/cni-resource'];

/** The chart's cluster-wide proxy defaults (identical in 2.12 and 2.20). */
export const CHART_DEFAULTS = {
  opaquePorts: '25,587,3306,4444,5432,6379,9300,11211',
  ignoreInboundPorts: '4567,4568',
  ignoreOutboundPorts: '4567,4568',
  defaultInboundPolicy: 'all-unauthenticated',
};

/**
 * The native-sidecar key a version reads: `config.linkerd.io/…` where it exists (2.20, where the alpha and beta keys
 * are deprecated); the alpha key before, which every release from 2.15 reads (the beta key only from 2.19). See
 * {@link LinkerdFeature.NATIVE_SIDECAR_GA_ANNOTATION}.
 */
export function nativeSidecarKey(version: LinkerdVersion): string {
  return version.supports(LinkerdFeature.NATIVE_SIDECAR_GA_ANNOTATION) ? NATIVE_SIDECAR_KEYS[2] : NATIVE_SIDECAR_KEYS[0];
}

/**
 * The native-sidecar keys a version's injector reads, in its order of precedence: the first key present decides,
 * and a value ParseBool refuses leaves the cluster-wide `proxy.nativeSidecar` (the later keys are not consulted).
 * 2.15–2.18 read the alpha key; 2.19 the beta key over the alpha key; 2.20 GA over beta over alpha.
 *
 * @see linkerd/linkerd2@version-2.20:pkg/inject/inject.go:429-447
 * @see linkerd/linkerd2@version-2.19:pkg/inject/inject.go:375-386
 */
export function nativeSidecarKeysRead(version: LinkerdVersion): string[] {
  const [alpha, beta, ga] = NATIVE_SIDECAR_KEYS;
  if (!version.supports(LinkerdFeature.NATIVE_SIDECAR)) return [];
  return [
    ...version.supports(LinkerdFeature.NATIVE_SIDECAR_GA_ANNOTATION) ? [ga] : [],
    ...version.supports(LinkerdFeature.NATIVE_SIDECAR_BETA_ANNOTATION) ? [beta] : [],
    alpha,
  ];
}

/**
 * Whether the injector makes the proxy a native sidecar, from the pod template's and the namespace's annotations.
 * A namespace annotation fills in a key the pod template lacks, but only for keys in the injector's lists
 * (`ProxyAnnotations`, `ProxyAlphaConfigAnnotations`): 2.20 lists the GA and alpha keys, not the beta one.
 *
 * @see linkerd/linkerd2@version-2.20:pkg/inject/inject.go:43-90 (the lists) and :177-189 (AppendNamespaceAnnotations)
 */
export function nativeSidecarOf(
  version: LinkerdVersion, pod: Record<string, string>, namespace: Record<string, string>, clusterDefault: boolean,
): boolean {
  const inherited = version.supports(LinkerdFeature.NATIVE_SIDECAR_GA_ANNOTATION)
    ? [NATIVE_SIDECAR_KEYS[2], NATIVE_SIDECAR_KEYS[0]]
    : NATIVE_SIDECAR_KEYS;
  const value = (key: string) => pod[key] ?? (inherited.includes(key) ? namespace[key] : undefined);
  const key = nativeSidecarKeysRead(version).find(k => value(k) !== undefined);
  return (key === undefined ? undefined : parseGoBool(value(key)!)) ?? clusterDefault;
}

/**
 * Native-sidecar annotations of a pod template that the injector of a version ignores: a key it does not read, a key
 * that a key of higher precedence overrides, or a value Go's ParseBool refuses.
 *
 * @see linkerd/linkerd2@version-2.20:pkg/inject/inject.go:429-447
 */
export function ignoredNativeSidecarAnnotations(version: LinkerdVersion, pod: Record<string, string>): string[] {
  const read = nativeSidecarKeysRead(version);
  const present = NATIVE_SIDECAR_KEYS.filter(k => pod[k] !== undefined);
  const deciding = read.find(k => pod[k] !== undefined);
  return present.map(key => {
    if (!read.includes(key)) return `${key} is not read by Linkerd ${version.major}${read.length > 0 ? ` (it reads ${read.join(', ')})` : ''}`;
    if (key !== deciding) return `${key} is overridden by ${deciding}`;
    return parseGoBool(pod[key]) === undefined ? `${key}: ${JSON.stringify(pod[key])} is not a boolean the injector reads (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)` : undefined;
  }).filter((note): note is string => note !== undefined).map(note => `${note}, so the injector ignores it`);
}

/** Why the proxy injector webhook never sees a namespace, or undefined when it does. */
export function namespaceExclusion(name: string, labels: Record<string, string> | undefined): string | undefined {
  if (EXCLUDED_NAMESPACES.includes(name)) return `namespace ${name} is excluded by the proxy injector webhook`;
  if (labels?.[ADMISSION_WEBHOOKS_LABEL] === 'disabled') {
    return `namespace ${name} is labelled ${ADMISSION_WEBHOOKS_LABEL}: disabled, which the proxy injector webhook skips`;
  }
  return undefined;
}

/** Why the proxy injector webhook skips a pod because of its labels, or undefined. */
export function podLabelExclusion(labels: Record<string, string> | undefined): string | undefined {
  const label = EXCLUDED_POD_LABELS.find(l => labels?.[l] !== undefined);
  return label && `its pods are labelled ${label}, which the proxy injector webhook skips`;
}
