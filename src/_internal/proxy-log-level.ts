// linkerd2 cli/cmd/root.go validProxyLogLevel (Rust env_logger directives)
const PROXY_LOG_LEVEL = /^(((trace|debug|warn|info|error)|(\w|::)+|((\w|::)+=(trace|debug|warn|info|error)))(?:,|$))+$/;

/** Whether a proxy log level is what the linkerd CLI accepts: env_logger directives such as `warn,linkerd=info`. */
export function isProxyLogLevel(level: string): boolean {
  return PROXY_LOG_LEVEL.test(level);
}
