import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { Bundle as BundleL1 } from '../../imports/trust.cert-manager.io';
import { clusterScoped } from '../_internal/cluster-scoped';
import { ValidationError } from '../_internal/errors';
import { validateRendered } from '../_internal/validated';
import { bundleProblems } from './bundle-rules';

/**
 * One source of trust-manager Bundle certificates (`spec.sources[]`): exactly one kind per source.
 *
 * Secrets and ConfigMaps are read from trust-manager's trust namespace (its `--trust-namespace`, `cert-manager` by
 * default), not from any namespace of the Bundle's (cert-manager/trust-manager@v0.24.0:
 * pkg/bundle/internal/source/source.go:76-79, cmd/trust-manager/app/options/options.go:240).
 *
 * @see https://cert-manager.io/docs/trust/trust-manager/
 */
export class BundleSource {
  /** The PEM certificates under `key` in a Secret of the trust namespace (e.g. `tls.crt` of a CA Secret). */
  public static secret(name: string, key: string): BundleSource {
    return new BundleSource('secret', { name, key }, `Secret ${name} key ${key}`);
  }

  /** The PEM certificates under `key` in a ConfigMap of the trust namespace. */
  public static configMap(name: string, key: string): BundleSource {
    return new BundleSource('configMap', { name, key }, `ConfigMap ${name} key ${key}`);
  }

  /** PEM certificates written inline (public certificates only). */
  public static inLine(pem: string): BundleSource {
    return new BundleSource('inLine', pem, 'inline PEM');
  }

  /** The default CA package trust-manager was installed with (`useDefaultCAs: true`). */
  public static useDefaultCAs(): BundleSource {
    return new BundleSource('useDefaultCAs', true, 'the default CAs');
  }

  private constructor(
    /** The source kind: `secret`, `configMap`, `inLine` or `useDefaultCAs`. */
    public readonly kind: string,
    private readonly value: unknown,
    /** A short description, for messages and summaries. */
    public readonly description: string,
  ) {}

  /** @internal */
  public _toSpec(): Record<string, unknown> {
    return { [this.kind]: this.value };
  }
}

/** Props for {@link Bundle}. */
export interface BundleProps {
  /**
   * Name, labels and annotations. The target ConfigMap/Secret in each selected namespace gets the Bundle's name.
   *
   * @default - a name generated from the construct path
   */
  readonly metadata?: ApiObjectMetadata;
  /** Where the certificates come from: 1 to 100 sources. */
  readonly sources: BundleSource[];
  /**
   * The key of the target ConfigMap written in each selected namespace.
   *
   * @default - no ConfigMap target; then `targetSecretKey` must be set
   */
  readonly targetConfigMapKey?: string;
  /**
   * The key of the target Secret (trust-manager must be installed with Secret targets enabled).
   *
   * @default - no Secret target
   */
  readonly targetSecretKey?: string;
  /**
   * Labels a namespace must carry to receive the target.
   *
   * @default - every namespace
   */
  readonly namespaceSelector?: Record<string, string>;
}

/**
 * A trust-manager Bundle (`trust.cert-manager.io/v1alpha1`, cluster-scoped): distributes CA certificates from its
 * sources into a ConfigMap (or Secret) in every selected namespace.
 *
 * @see https://cert-manager.io/docs/trust/trust-manager/api-reference/
 */
export class Bundle extends Construct {
  /** The generated `Bundle` object; `ApiObject.of(bundle)` returns it too. */
  public readonly apiObject: ApiObject;
  /** The sources, in order. */
  public readonly sources: readonly BundleSource[];

  constructor(scope: Construct, id: string, props: BundleProps) {
    super(scope, id);
    if (props.metadata?.namespace !== undefined) {
      throw new ValidationError(`metadata.namespace ${JSON.stringify(props.metadata.namespace)} is not allowed: a Bundle is cluster-scoped`, this);
    }
    this.sources = [...props.sources];
    this.apiObject = new BundleL1(this, 'Resource', {
      metadata: props.metadata,
      spec: {
        sources: this.sources.map(s => s._toSpec()),
        target: {
          configMap: props.targetConfigMapKey === undefined ? undefined : { key: props.targetConfigMapKey },
          secret: props.targetSecretKey === undefined ? undefined : { key: props.targetSecretKey },
          namespaceSelector: props.namespaceSelector && { matchLabels: { ...props.namespaceSelector } },
        },
      },
    });
    clusterScoped(this.apiObject);
    validateRendered(this, this.apiObject, bundleProblems);
  }

  /** The Bundle's name, which is also the name of every target ConfigMap/Secret. */
  public get name(): string {
    return this.apiObject.name;
  }
}
