import { IConstruct } from 'constructs';
import { throwIfProblems, ValidationError } from '../_internal/errors';
import { Problems } from '../_internal/problems';
import type { LinkerdControlPlane } from './control-plane';
import { LinkerdVersion } from './version';

/** Values a construct may give itself instead of taking them from its tree; each must agree with the tree's. */
export interface LinkerdContextOverrides {
  /**
   * The Linkerd version.
   *
   * @default - the tree's, else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
  /**
   * The cluster's DNS domain.
   *
   * @default - the tree's, else 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The identity trust domain.
   *
   * @default - the tree's, else 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The control-plane namespace.
   *
   * @default - the tree's, else 'linkerd'
   */
  readonly controlPlaneNamespace?: string;
}

/** The fields of a {@link LinkerdContext} a construct can take from its tree. */
type Field = keyof LinkerdContextOverrides;

const FIELDS: Record<Field, string> = {
  version: 'version',
  clusterDomain: 'cluster domain',
  trustDomain: 'trust domain',
  controlPlaneNamespace: 'control-plane namespace',
};

/** What a scope has registered: one control plane, or several (ambiguous). */
type Registration = { readonly context: LinkerdContext } | { readonly ambiguous: string[] };

const registrations = new WeakMap<IConstruct, Registration>();

/**
 * The Linkerd version, cluster domain, trust domain and control-plane namespace that hold for a construct: those of the
 * nearest {@link LinkerdControlPlane} in its construct tree (aws-cdk `Stack.of` style), else the documented defaults.
 *
 * A control plane registers itself on the scope it is created in (so a {@link LinkerdPlatform} and everything in it
 * see it) and on the app, when it is the app's only control plane (so charts beside the platform see it too; with two,
 * a construct must sit in the chart of one of them). Constructs that need one of these values and are not given it
 * take it from here; one that is given a value the tree contradicts fails naming both.
 *
 * @example
 * const platform = new LinkerdPlatform(app, 'platform', { version: LinkerdVersion.V2_14 });
 * LinkerdContext.of(new Chart(app, 'apps')).version; // LinkerdVersion.V2_14
 */
export class LinkerdContext {
  /** The documented defaults: the newest Linkerd, `cluster.local` for both domains, namespace `linkerd`. */
  public static readonly DEFAULTS = new LinkerdContext(LinkerdVersion.LATEST, 'cluster.local', 'cluster.local', 'linkerd', undefined);

  /**
   * The context of a construct: its nearest control plane's, else {@link LinkerdContext.DEFAULTS}.
   *
   * @throws ValidationError when the nearest registration is an app with several control planes
   */
  public static of(scope: IConstruct): LinkerdContext {
    return LinkerdContext.tryOf(scope) ?? LinkerdContext.DEFAULTS;
  }

  /**
   * The context of a construct's nearest control plane, or undefined when its tree has none.
   *
   * @throws ValidationError when the nearest registration is an app with several control planes
   */
  public static tryOf(scope: IConstruct): LinkerdContext | undefined {
    for (let c: IConstruct | undefined = scope; c !== undefined; c = c.node.scope) {
      const registration = registrations.get(c);
      if (registration === undefined) continue;
      if ('context' in registration) return registration.context;
      throw new ValidationError(`cannot tell which Linkerd control plane applies: the app has ${registration.ambiguous.length} `
        + `(${registration.ambiguous.join(', ')}); create this construct inside the chart of one of them`, scope);
    }
    return undefined;
  }

  /**
   * The values for a construct: those it was given, the rest from its tree ({@link LinkerdContext.of}).
   *
   * Fails with one ValidationError when a given value contradicts the tree's, naming both. At synth, it checks again
   * every field named in `given` (set or not), so a construct made before its tree's control plane, which took a default
   * the control plane contradicts, fails too.
   *
   * @param scope the construct that needs the values
   * @param given the values the construct was given; name each field it uses, even when undefined
   */
  public static resolve(scope: IConstruct, given: LinkerdContextOverrides): LinkerdContext {
    const tree = LinkerdContext.tryOf(scope);
    const fields = Object.keys(given) as Field[];
    if (tree) throwIfProblems(tree.conflicts(given, fields), scope);
    const base = tree ?? LinkerdContext.DEFAULTS;
    const resolved = new LinkerdContext(
      given.version ?? base.version,
      given.clusterDomain ?? base.clusterDomain,
      given.trustDomain ?? base.trustDomain,
      given.controlPlaneNamespace ?? base.controlPlaneNamespace,
      tree?.controlPlane,
    );
    if (!tree) {
      scope.node.addValidation({
        validate: () => {
          const late = LinkerdContext.tryOf(scope);
          return late ? late.conflicts(resolved, fields.filter(f => given[f] !== undefined), fields.filter(f => given[f] === undefined)) : [];
        },
      });
    }
    return resolved;
  }

  /**
   * Registers a control plane on the scope it is created in, and on the app when it is the app's only one.
   *
   * @internal
   */
  public static _register(controlPlane: LinkerdControlPlane): void {
    const values = controlPlane.helmValues;
    const clusterDomain = values.clusterDomain || LinkerdContext.DEFAULTS.clusterDomain;
    // the chart renders `identityTrustDomain | default clusterDomain` (linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/templates/identity.yaml:166)
    const trustDomain = values.identityTrustDomain || clusterDomain;
    const context = new LinkerdContext(controlPlane.version, clusterDomain, trustDomain, controlPlane.namespace, controlPlane);
    const parent = controlPlane.node.scope;
    if (parent) registrations.set(parent, { context });
    const root = controlPlane.node.root;
    if (root === parent) return;
    const existing = registrations.get(root);
    if (existing === undefined) {
      registrations.set(root, { context });
    } else {
      const paths = 'context' in existing ? [existing.context.controlPlane!.node.path] : existing.ambiguous;
      registrations.set(root, { ambiguous: [...paths, controlPlane.node.path] });
    }
  }

  private constructor(
    /** The Linkerd version. */
    public readonly version: LinkerdVersion,
    /** The cluster's DNS domain (the chart's `clusterDomain`). */
    public readonly clusterDomain: string,
    /** The identity trust domain (`identityTrustDomain`, else the cluster domain). */
    public readonly trustDomain: string,
    /** The control-plane namespace, the middle of every identity (`….identity.<namespace>.<trustDomain>`). */
    public readonly controlPlaneNamespace: string,
    /** The control plane the values come from; undefined for the defaults. */
    public readonly controlPlane: LinkerdControlPlane | undefined,
  ) {}

  /** Where the values come from: `the control plane <path>` or `the documented defaults`. */
  public get source(): string {
    return this.controlPlane ? `the control plane ${this.controlPlane.node.path}` : 'the documented defaults';
  }

  /**
   * The problem with a DNS-like identity that no pod of this control plane can have, or undefined.
   *
   * Linkerd issues `<sa>.<ns>.serviceaccount.identity.<namespace>.<trustDomain>`; a leading `*.` matches any identity
   * with the rest as a suffix (linkerd/linkerd2@version-2.20:policy-controller/core/src/identity_match.rs:23). `*` and
   * `spiffe://` IDs, which other issuers may sign, are not checked.
   */
  public identityProblem(identity: string): string | undefined {
    if (identity === '*' || identity.startsWith('spiffe://')) return undefined;
    const issuer = `identity.${this.controlPlaneNamespace}.${this.trustDomain}`;
    const ok = identity.startsWith('*.')
      ? (s => s === issuer || s.endsWith(`.${issuer}`) || issuer.endsWith(`.${s}`))(identity.slice(2))
      : identity.endsWith(`.serviceaccount.${issuer}`);
    return ok ? undefined : `identity ${JSON.stringify(identity)} matches no identity of trust domain ${JSON.stringify(this.trustDomain)} and `
      + `control-plane namespace ${JSON.stringify(this.controlPlaneNamespace)} (${this.source}), which issues <sa>.<ns>.serviceaccount.${issuer}`;
  }

  /** The problems with given values that differ from this context's. */
  private conflicts(given: LinkerdContextOverrides, fields: Field[], defaulted: Field[] = []): string[] {
    const problems = new Problems();
    for (const field of [...fields, ...defaulted]) {
      const value = given[field];
      if (value === undefined || String(value) === String(this[field])) continue;
      const shown = (v: unknown) => v instanceof LinkerdVersion ? v.toString() : JSON.stringify(v);
      problems.add(defaulted.includes(field)
        ? `was made for ${FIELDS[field]} ${shown(value)} (the documented default: its tree had no control plane yet), but ${this.source} has `
          + `${shown(this[field])}: create the control plane first, or give ${field} explicitly`
        : `${field} ${shown(value)} contradicts ${FIELDS[field]} ${shown(this[field])} of ${this.source}: drop it (it is taken from the tree) or make them agree`);
    }
    return [...problems.list];
  }
}

/**
 * The identity Linkerd issues to pods running as a ServiceAccount: `<sa>.<ns>.serviceaccount.identity.<control-plane
 * namespace>.<trust domain>` (linkerd/linkerd2@version-2.20:controller/api/destination/endpoint_translator.go:489).
 *
 * @internal
 */
export function serviceAccountIdentity(serviceAccount: string, namespace: string, controlPlaneNamespace: string, trustDomain: string): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.${controlPlaneNamespace}.${trustDomain}`;
}
