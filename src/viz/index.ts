export * from './htpasswd-user';
export * from './basic-auth-secret';
export * from './dashboard-credentials';
// named, not `export *`: the file's @internal helpers stay out of the package's runtime exports (test/exports.test.ts)
export { LinkerdViz, VizPrometheus } from './viz';
export type { DashboardClient, LinkerdVizOptions, LinkerdVizProps, VizReleaseOptions } from './viz';
export * from './dashboard-tls';
export * from './dashboard-ingress';
export * from './dashboard-http-route';
