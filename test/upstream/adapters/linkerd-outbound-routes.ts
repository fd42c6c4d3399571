import { Adapter, OurVerdict } from '../_conformance';
import { admit } from './_policy';
import { adapter as serviceAnnotations } from './linkerd-policy-annotations';

type RouteInput = { readonly on: 'Service'; readonly annotations: Record<string, string> }
  | { readonly on: 'HTTPRoute'; readonly annotations?: Record<string, string>; readonly spec: unknown };

/** A Service's annotations through the Service rule, or an HTTPRoute through the HttpRoute construct. */
export const adapter: Adapter = (input: RouteInput): OurVerdict => input.on === 'Service'
  ? serviceAnnotations({ annotations: input.annotations })
  : admit({ kind: 'HTTPRoute', annotations: input.annotations, spec: input.spec });
