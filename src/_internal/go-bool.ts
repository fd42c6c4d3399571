/**
 * Go's `strconv.ParseBool`: `1 t T TRUE true True` and `0 f F FALSE false False`, nothing else (no trimming). The proxy
 * injector reads its boolean annotations so; the policy controller restates the same set after `trim()`.
 *
 * @returns the value, or undefined when Go would return an error
 * @see linkerd/linkerd2@version-2.20:pkg/inject/inject.go:431 (the injector's ParseBool of the native-sidecar key)
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:2294-2308 (the same token set, restated)
 */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}
