import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * Keeps a cluster-scoped object free of the chart's namespace.
 *
 * cdk8s stamps a chart's namespace on every object, including cluster-scoped ones; Argo CD then shows a diff that
 * never settles, because the API server drops the field.
 */
export function clusterScoped(apiObject: ApiObject): void {
  if (Chart.of(apiObject).namespace !== undefined) {
    apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
