import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { LinkerdVersion } from '../linkerd/version';
import { Server } from './server';
import { ProxyProtocol, ServerPort } from './server-port';

/** Options for {@link allow}. */
export interface AllowOptions {
  /**
   * The protocol of the Server (made on the first `allow` to a port).
   *
   * @default - unset: Linkerd detects the protocol
   */
  readonly proxyProtocol?: ProxyProtocol;
  /**
   * The Linkerd version; when given, it must be the tree's.
   *
   * @default - the version of the control plane in the workload's construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/**
 * Allows a meshed client to call a port of a workload, and only the clients allowed this way: the first call for a
 * `to` and `port` makes a {@link Server} (`<to>-<port>`, a child of `to`), a MeshTLSAuthentication
 * (`<to>-<port>-clients`) and an AuthorizationPolicy (`<to>-<port>`); later calls add their client to the same
 * MeshTLSAuthentication.
 *
 * Kubelet HTTP probes keep working on the default protocol (detect) and on `HTTP/1`: Linkerd adds a probe route on a
 * Server no HTTPRoute attaches to; once one does, the Server fails synth asking for {@link Server.authorizeProbes}. On
 * `HTTP/2` and `gRPC` the kubelet's HTTP/1.1 probe cannot get through, and on `opaque` and `TLS` only an authorization
 * without identity would let it in, so an HTTP probe on such a port fails synth: probe another port. Both ends must be
 * meshed: the Server fails synth when `to` is not, and the mTLS coverage report flags a `from` that is not.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1997-2018 (the probe route, HTTP Servers without HTTPRoutes only)
 * @see linkerd/linkerd2@version-2.20:policy-controller/grpc/src/inbound.rs:186-220 (gRPC, opaque and TLS Servers send no HTTP routes)
 *
 * @param from the client: a workload (its ServiceAccount's identity) or a ServiceAccount
 * @param to the server workload
 * @param port the server's pod port
 * @returns the Server
 * @example
 * allow(client, server, ServerPort.named('http'), { proxyProtocol: ProxyProtocol.HTTP1 });
 */
export function allow(from: IConstruct, to: IConstruct, port: ServerPort, options: AllowOptions = {}): Server {
  const id = `Server-${port}`;
  const existing = to.node.tryFindChild(id);
  let server: Server;
  if (existing instanceof Server) {
    server = existing;
    const protocol = server.apiObject.toJson().spec?.proxyProtocol;
    if (options.proxyProtocol !== undefined && options.proxyProtocol !== protocol) {
      throw new ValidationError(`proxyProtocol ${options.proxyProtocol} differs from ${protocol ?? 'unset'}, given by an earlier allow to port ${port}: use the same protocol`, server);
    }
  } else {
    server = new Server(to as Construct, id, { workload: to, port, proxyProtocol: options.proxyProtocol, version: options.version });
  }
  server.allowFrom(from);
  return server;
}
