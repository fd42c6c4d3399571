export * from './htpasswd-user';
export * from './basic-auth-secret';
export * from './dashboard-credentials';
// named, not `export *`: the file's internal helpers stay out of the package's runtime exports (test/exports.test.ts);
// no at-internal tag in this comment: stripInternal would drop the export statement below it from the .d.ts
export { LinkerdViz, VizPrometheus } from './viz';
export type { DashboardClient, LinkerdVizOptions, LinkerdVizProps, VizReleaseOptions } from './viz';
export * from './dashboard-tls';
export * from './dashboard-ingress';
export * from './dashboard-http-route';
