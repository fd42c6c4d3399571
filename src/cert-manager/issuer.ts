import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { Issuer as IssuerL1 } from '../../imports/cert-manager.io';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered } from '../_internal/validated';
import { issuerProblems } from './issuer-rules';
import { IIssuer, IssuerReference, IssuerType } from './issuer-type';

/** Options for importing an existing namespaced Issuer. */
export interface IssuerImportOptions {
  /** The Issuer's namespace. */
  readonly namespace: string;
}

/** Props for {@link Issuer}. */
export interface IssuerProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - a name generated from the construct path, in the chart's namespace (a namespace is required: given, or
   * the chart's)
   */
  readonly metadata?: ApiObjectMetadata;
  /** The issuer type: `IssuerType.selfSigned()` or `IssuerType.ca({ secretName })`. */
  readonly type: IssuerType;
}

/**
 * A namespaced cert-manager Issuer (`cert-manager.io/v1`): it issues Certificates in its own namespace only.
 *
 * @see https://cert-manager.io/docs/concepts/issuer/
 * @example
 * const root = new Issuer(chart, 'root', { metadata: { namespace: 'cert-manager' }, type: IssuerType.selfSigned() });
 */
export class Issuer extends Construct implements IIssuer {
  /** References an Issuer that already exists in the cluster; nothing is emitted. */
  public static fromIssuerName(scope: Construct, id: string, name: string, options: IssuerImportOptions): IIssuer {
    return new ImportedIssuer(scope, id, name, options.namespace);
  }

  /** The generated `Issuer` object; `ApiObject.of(issuer)` returns it too. */
  public readonly apiObject: ApiObject;
  /** The issuer type. */
  public readonly type: IssuerType;
  /** @inheritdoc */
  public readonly issuerRef: IssuerReference;
  /** @inheritdoc */
  public readonly issuerNamespace?: string;
  /** The Issuer's namespace: `metadata.namespace`, else the chart's (one of them is required). */
  public get namespace(): string {
    return this.issuerNamespace!;
  }

  constructor(scope: Construct, id: string, props: IssuerProps) {
    super(scope, id);
    this.type = props.type;
    const namespace = requireNamespace(this, 'Issuer', props.metadata?.namespace);
    this.apiObject = new IssuerL1(this, 'Resource', { metadata: { ...props.metadata, namespace }, spec: this.type._toSpec() });
    this.issuerRef = { name: this.apiObject.name, kind: 'Issuer', group: 'cert-manager.io' };
    this.issuerNamespace = namespace;
    validateRendered(this, this.apiObject, issuerProblems);
    keepNamespace(this, this.apiObject, 'Issuer');
  }

  /** The Issuer's name. */
  public get name(): string {
    return this.apiObject.name;
  }
}

class ImportedIssuer extends Construct implements IIssuer {
  public readonly issuerRef: IssuerReference;
  constructor(scope: Construct, id: string, name: string, public readonly issuerNamespace: string) {
    super(scope, id);
    this.issuerRef = { name, kind: 'Issuer', group: 'cert-manager.io' };
  }
}
