export * from './service-reference';
export * from './conditions';
export * from './service-profile';
export * from './retries-and-timeouts';
export * from './http-route';
export * from './circuit-breaker';
export * from './profile-migration';
export * from './demo-traffic-policy';
