import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterIssuer as ClusterIssuerL1 } from '../../imports/cert-manager.io';
import { clusterScoped } from '../_internal/cluster-scoped';
import { ValidationError } from '../_internal/errors';
import { validateRendered } from '../_internal/validated';
import { issuerProblems } from './issuer-rules';
import { IIssuer, IssuerReference, IssuerType } from './issuer-type';

/** Props for {@link ClusterIssuer}. */
export interface ClusterIssuerProps {
  /**
   * Name, labels and annotations (a ClusterIssuer has no namespace).
   *
   * @default - a name generated from the construct path
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The issuer type: `IssuerType.selfSigned()` or `IssuerType.ca({ secretName })`.
   *
   * A CA ClusterIssuer reads its Secret from cert-manager's cluster-resource namespace (`cert-manager` by default).
   */
  readonly type: IssuerType;
}

/**
 * A cluster-scoped cert-manager ClusterIssuer (`cert-manager.io/v1`): it issues Certificates in any namespace.
 *
 * @see https://cert-manager.io/docs/concepts/issuer/
 */
export class ClusterIssuer extends Construct implements IIssuer {
  /** References a ClusterIssuer that already exists in the cluster; nothing is emitted. */
  public static fromClusterIssuerName(scope: Construct, id: string, name: string): IIssuer {
    return new ImportedClusterIssuer(scope, id, name);
  }

  /** The generated `ClusterIssuer` object; `ApiObject.of(issuer)` returns it too. */
  public readonly apiObject: ApiObject;
  /** The issuer type. */
  public readonly type: IssuerType;
  /** @inheritdoc */
  public readonly issuerRef: IssuerReference;
  /** Always undefined: a ClusterIssuer is not namespaced. */
  public readonly issuerNamespace?: string;

  constructor(scope: Construct, id: string, props: ClusterIssuerProps) {
    super(scope, id);
    this.type = props.type;
    if (props.metadata?.namespace !== undefined) {
      throw new ValidationError(`metadata.namespace ${JSON.stringify(props.metadata.namespace)} is not allowed: a ClusterIssuer is cluster-scoped`, this);
    }
    this.apiObject = new ClusterIssuerL1(this, 'Resource', { metadata: props.metadata, spec: this.type._toSpec() });
    clusterScoped(this.apiObject);
    this.issuerRef = { name: this.apiObject.name, kind: 'ClusterIssuer', group: 'cert-manager.io' };
    validateRendered(this, this.apiObject, issuerProblems);
  }

  /** The ClusterIssuer's name. */
  public get name(): string {
    return this.apiObject.name;
  }
}

class ImportedClusterIssuer extends Construct implements IIssuer {
  public readonly issuerRef: IssuerReference;
  constructor(scope: Construct, id: string, name: string) {
    super(scope, id);
    this.issuerRef = { name, kind: 'ClusterIssuer', group: 'cert-manager.io' };
  }
}
