export * from './htpasswd-user';
export * from './basic-auth-secret';
export * from './dashboard-credentials';
export * from './viz';
export * from './dashboard-tls';
export * from './dashboard-ingress';
export * from './dashboard-http-route';
