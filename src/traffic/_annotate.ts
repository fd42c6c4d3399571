import { IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { trafficAnnotationProblems } from './_annotations';
import { ResolvedService } from './service-reference';

/**
 * Adds Linkerd traffic annotations to a Service construct, refusing keys it already has (two policies for the same
 * key would silently overwrite each other), and re-checks the Service's rendered annotations at synth with the policy
 * controller's grammar, so that a patched or hand-written value cannot slip through.
 *
 * @param what what is being configured, for the error, e.g. `failure accrual`
 * @internal
 */
export function annotateService(scope: IConstruct, service: ResolvedService, annotations: Record<string, string>, what: string): void {
  const apiObject = service.apiObject;
  if (apiObject === undefined) {
    throw new ValidationError(`${what} is configured with annotations on the Service, but service ${service.namespace}/${service.name} is a `
      + 'ServiceReference.fromName reference: pass the Service construct (ServiceReference.fromService or fromApiObject) so it can be annotated', scope);
  }
  const existing = apiObject.metadata.toJson().annotations ?? {};
  const taken = Object.keys(annotations).filter(key => existing[key] !== undefined);
  if (taken.length > 0) {
    throw new ValidationError(`Service ${service.namespace}/${service.name} already has ${taken.map(k => `${k}: ${JSON.stringify(existing[k])}`).join(', ')}: `
      + `configure ${what} for a Service only once`, scope);
  }
  for (const [key, value] of Object.entries(annotations)) apiObject.metadata.addAnnotation(key, value);
  scope.node.addValidation({
    validate: () => {
      const rendered: Record<string, string> = apiObject.toJson().metadata?.annotations ?? {};
      const own = Object.fromEntries(Object.entries(rendered).filter(([key]) => key in annotations));
      return trafficAnnotationProblems(own, 'Service').map(p => `Service ${service.namespace}/${service.name} ${p}`);
    },
  });
}
