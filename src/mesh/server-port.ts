import { isPort } from './port-range';

/** How the proxy treats a Server's inbound connections (`proxyProtocol`). */
export enum ProxyProtocol {
  /** Detect the protocol (the default). */
  UNKNOWN = 'unknown',
  /** HTTP/1.x, without detection. */
  HTTP1 = 'HTTP/1',
  /** HTTP/2, without detection. */
  HTTP2 = 'HTTP/2',
  /** gRPC. */
  GRPC = 'gRPC',
  /** Opaque TCP: still mTLS between meshed pods, no HTTP features. */
  OPAQUE = 'opaque',
  /** TLS the application terminates itself. */
  TLS = 'TLS',
}

// Kubernetes IsValidPortName (IANA_SVC_NAME): at most 15 lowercase alphanumerics or '-', at least one letter
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A pod port, by number or by container-port name. */
export class ServerPort {
  /** A port number, 1–65535. */
  public static of(port: number): ServerPort {
    return new ServerPort(port, undefined);
  }

  /** A container port name (`http`); it must exist in the pods' spec. */
  public static named(name: string): ServerPort {
    return new ServerPort(undefined, name);
  }

  private constructor(
    /** The port number, for a numbered port. */
    public readonly number: number | undefined,
    /** The container port name, for a named port. */
    public readonly portName: string | undefined,
  ) {}

  /** `8080` or `http`. */
  public toString(): string {
    return this.portName ?? String(this.number);
  }

  /** @internal */
  public _toKube(): number | string {
    return this.portName ?? this.number!;
  }

  /** The problem with this port, or undefined. @internal */
  public _problem(): string | undefined {
    if (this.portName !== undefined) {
      return this.portName.length <= 15 && PORT_NAME.test(this.portName) && !this.portName.includes('--') ? undefined
        : `port name ${JSON.stringify(this.portName)} is not a port name: use at most 15 lowercase alphanumerics or '-', with at least one letter`;
    }
    return isPort(this.number!) ? undefined : `port ${this.number} is not allowed: use a port from 1 to 65535`;
  }
}
