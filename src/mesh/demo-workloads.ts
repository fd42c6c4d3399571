import { ApiObject, JsonPatch, Size } from 'cdk8s';
import {
  ContainerProps, Cpu, Deployment, ImagePullPolicy, LabelSelector, Namespace, Probe, Service, ServiceAccount,
} from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { CURL_IMAGE, HTTP_ECHO_IMAGE } from '../_internal/images';
import { dns1123LabelProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdVersion } from '../linkerd/version';
import { allow } from './allow';
import { Mesh } from './mesh';
import { Server } from './server';
import { ProxyProtocol, ServerPort } from './server-port';

/** Props for {@link DemoWorkloads}. */
export interface DemoWorkloadsProps {
  /**
   * The namespace of the demo, made here with injection enabled.
   *
   * @default 'mesh-demo'
   */
  readonly namespace?: string;
  /**
   * The server's image: an HTTP server that answers on port 5678 and serves `/health`.
   *
   * @default - `docker.io/hashicorp/http-echo:1.0.0`, pinned by digest
   */
  readonly serverImage?: string;
  /**
   * The client's image: it needs `sh`, `curl` and `sleep`.
   *
   * @default - `docker.io/curlimages/curl:8.10.1`, pinned by digest
   */
  readonly clientImage?: string;
  /**
   * The Linkerd version; when given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

const SERVER_PORT = 5678;
const PATH_LABEL = 'cdk8s.io/metadata.addr';

/**
 * The runbook's practice pair: a namespace with `linkerd.io/inject: enabled`, an HTTP server (`server`, behind Service
 * `server` on port 80) and a client (`client`) that calls it every 5 seconds, each with its own ServiceAccount, and
 * a Server on the server's `http` port that only the client's identity may call (`allow(client → server)`).
 *
 * Every object has an explicit name and the pods carry no construct-path labels, so the output does not depend on
 * where the construct sits. Small pinned images, one replica each, small requests.
 */
export class DemoWorkloads extends Construct {
  /** The demo namespace's name. */
  public readonly namespace: string;
  /** The demo Namespace, made here with injection enabled. */
  public readonly namespaceObject: Namespace;
  /** The HTTP server. */
  public readonly server: Deployment;
  /** The client calling the server through its Service. */
  public readonly client: Deployment;
  /** The server's Service (`server`, port 80 → 5678): where traffic policy (ServiceProfile, circuit breaking) attaches. */
  public readonly serverService: Service;
  /** The policy Server on the server's `http` port, which only the client may call. */
  public readonly serverPolicy: Server;

  constructor(scope: Construct, id: string, props: DemoWorkloadsProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? 'mesh-demo';
    const version = LinkerdContext.resolve(this, { version: props.version }).version;
    new Problems().add(dns1123LabelProblem('namespace', namespace)).throwIfAny(this);

    this.namespace = namespace;
    this.namespaceObject = new Namespace(this, 'namespace', { metadata: { name: namespace } });
    Mesh.inject(this.namespaceObject, { version });

    this.server = workload(this, 'server', namespace, {
      image: props.serverImage ?? HTTP_ECHO_IMAGE,
      args: [`-listen=:${SERVER_PORT}`, '-text=hello from the mesh'],
      ports: [{ number: SERVER_PORT, name: 'http' }],
      readiness: Probe.fromHttpGet('/health', { port: SERVER_PORT }),
    });
    this.serverService = new Service(this, 'server-service', {
      metadata: { name: 'server', namespace },
      ports: [{ name: 'http', port: 80, targetPort: SERVER_PORT }],
    });
    this.serverService.selectLabel('app', 'server');

    this.client = workload(this, 'client', namespace, {
      image: props.clientImage ?? CURL_IMAGE,
      command: ['/bin/sh', '-c'],
      args: [`while true; do curl -sS --max-time 2 http://server.${namespace}.svc/ || true; sleep 5; done`],
    });

    this.serverPolicy = allow(this.client, this.server, ServerPort.named('http'), { proxyProtocol: ProxyProtocol.HTTP1, version });
  }
}

/** A one-replica Deployment with its own ServiceAccount, selected by `app: <name>` only. */
function workload(scope: Construct, name: string, namespace: string, container: ContainerProps): Deployment {
  const serviceAccount = new ServiceAccount(scope, `${name}-service-account`, { metadata: { name, namespace } });
  const deployment = new Deployment(scope, name, {
    metadata: { name, namespace },
    replicas: 1,
    select: false,
    serviceAccount,
    containers: [{
      name,
      imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      resources: { cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) } },
      securityContext: { user: 65534, group: 65534 },
      ...container,
    }],
  });
  deployment.podMetadata.addLabel('app', name);
  deployment.select(LabelSelector.of({ labels: { app: name } }));
  // cdk8s-plus labels every pod template with a hash of the construct path; dist/ must not depend on it
  if (deployment.podMetadata.getLabel(PATH_LABEL) !== undefined) {
    ApiObject.of(deployment).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${PATH_LABEL.replace('/', '~1')}`));
  }
  return deployment;
}
