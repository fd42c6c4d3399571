import { ApiObject, Chart, Testing } from 'cdk8s';
import { Deployment, LabelSelector, Namespace, Probe, ServiceAccount } from 'cdk8s-plus-25';
import { collectWarnings } from '../../src/_internal/warnings';

/** A one-container cdk8s-plus Deployment with an explicit name, namespace and `app` label, optionally with a ServiceAccount and a named HTTP port. */
export function deployment(
  chart: Chart, name: string, options: { namespace?: string; port?: number; probe?: string; serviceAccount?: boolean } = {},
): Deployment {
  const namespace = options.namespace ?? 'demo';
  const serviceAccount = options.serviceAccount === false ? undefined : new ServiceAccount(chart, `${name}-sa`, { metadata: { name, namespace } });
  const d = new Deployment(chart, name, {
    metadata: { name, namespace },
    select: false,
    serviceAccount,
    containers: [{
      image: 'docker.io/hashicorp/http-echo:1.0.0',
      ports: options.port ? [{ number: options.port, name: 'http' }] : [],
      ...(options.probe ? { readiness: Probe.fromHttpGet(options.probe, { port: options.port }) } : {}),
    }],
  });
  d.podMetadata.addLabel('app', name);
  d.select(LabelSelector.of({ labels: { app: name } }));
  return d;
}

/** A Namespace `demo` (or another name). */
export function namespace(chart: Chart, name = 'demo'): Namespace {
  return new Namespace(chart, `ns-${name}`, { metadata: { name } });
}

/** The synthesized object of a kind and name. */
export function synthOne(chart: Chart, kind: string, name: string): any {
  const found = Testing.synth(chart).filter(o => o.kind === kind && o.metadata?.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The warning messages recorded under a chart. */
export function warnings(chart: Chart): string[] {
  return collectWarnings(chart).map(w => `[${w.path}] ${w.message}`);
}

/** The rendered JSON of a construct's object. */
export function rendered(construct: ApiObject | { node: any }): any {
  return ApiObject.of(construct as any).toJson();
}
