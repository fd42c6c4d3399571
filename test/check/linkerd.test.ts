import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceObject } from '../../src/check/_types';
import { linkerdRuleFamily, linkerdRules } from '../../src/check/linkerd';
import { LinkerdVersion } from '../../src/linkerd';
import { brief, readFixture, readYaml } from './_linkerd';

const run = (objects: SourceObject[]) => linkerdRules.run(objects);
const errorsAndWarnings = (objects: SourceObject[]) => run(objects).filter(f => f.severity !== 'note').map(brief);
const messages = (objects: SourceObject[], rule: string) => run(objects).filter(f => f.rule === rule).map(f => f.message);

describe('linkerdRules', () => {
  test('is the linkerd family', () => {
    expect(linkerdRules.name).toBe('linkerd');
  });

  test('the runbook-style hand-written YAML has no errors: a warning of our retry lint, and the coverage totals', () => {
    const found = run(readFixture('linkerd-runbook.yaml'));
    expect(found.map(brief)).toEqual(['warning linkerd/non-idempotent-retry 76', 'note linkerd/mtls-coverage -']);
    expect(found[0].message).toMatch(/^retry.linkerd.io\/http on a Service applies to every method, including POST and PATCH.*our lint, stricter than Linkerd/);
    expect(found[1].message).toBe('mTLS coverage (Linkerd 2.20): 2 workloads, 2 meshed; 4 declared flows, 4 mTLS, 0 not mTLS');
  });

  test('skips what is not a Kubernetes object', () => {
    expect(run([{ object: { kind: 'Thing' } as any, file: 'a.yaml', line: 1 }])).toEqual([]);
  });
});

describe('seeded mistakes, one fixture per rule family', () => {
  test('ServiceProfile: sp-validator, RE2 regex and the proxy\'s drops are errors; our lints are warnings', () => {
    const objects = readFixture('linkerd-seeded-service-profile.yaml');
    expect(errorsAndWarnings(objects)).toEqual([
      'error linkerd/service-profile 2',
      'error linkerd/service-profile 2',
      'warning linkerd/non-idempotent-retry 24',
      'warning linkerd/service-profile-route-lint 24',
      'error linkerd/service-profile 48',
      'error linkerd/service-profile 48',
    ]);
    const errors = messages(objects, 'linkerd/service-profile');
    expect(errors[0]).toMatch(/pathRegex "\/books\/\(\\\\d\+" is not valid RE2\/Rust regex syntax/);
    expect(errors[1]).toMatch(/status \{"min":500\} must set both min and max/);
    expect(errors[2]).toMatch(/spec.routs is an unknown field, which the sp-validator rejects/);
    expect(errors[3]).toMatch(/retryBudget.ttl "10 seconds" must be a positive Go duration/);
    expect(messages(objects, 'linkerd/non-idempotent-retry')).toEqual([expect.stringMatching(/route "POST \/orders" is retryable but matches POST, which is not idempotent.*our lint, stricter than Linkerd/)]);
    expect(messages(objects, 'linkerd/service-profile-route-lint')).toEqual([expect.stringMatching(/route "GET \/orders\/\{id\}" is shadowed by the earlier, broader route "GET \/orders"/)]);
  });

  test('policy admission: what the policy controller\'s webhook refuses', () => {
    const objects = readFixture('linkerd-seeded-policy.yaml');
    expect(errorsAndWarnings(objects)).toEqual([
      'error linkerd/policy-admission 2',
      'error linkerd/policy-admission 11',
      'error linkerd/policy-admission 11',
      'error linkerd/policy-admission 22',
      'error linkerd/policy-admission 32',
      'error linkerd/policy-admission 42',
      'error linkerd/policy-admission 53',
      'error linkerd/http-route 67',
      'error linkerd/http-route 67',
    ]);
    expect(messages(objects, 'linkerd/policy-admission')).toEqual([
      expect.stringMatching(/targetRef Namespace "billing" cannot target another namespace/),
      expect.stringMatching(/targetRef "apps\/Deployment" is not allowed/),
      expect.stringMatching(/requiredAuthenticationRefs has 2 MeshTLSAuthentication refs: at most one of each kind/),
      expect.stringMatching(/identities and identityRefs may not be set together/),
      expect.stringMatching(/network 10.0.0.0\/16 except "10.1.0.0\/24" is outside its cidr/),
      expect.stringMatching(/accessPolicy "allow-all" is not allowed: use one of all-unauthenticated/),
      expect.stringMatching(/client.unauthenticated must be false when client.meshTLS is set/),
    ]);
    expect(messages(objects, 'linkerd/http-route')).toEqual([
      expect.stringMatching(/path "\/orders\/\(\?P<id" is not valid RE2\/Rust regex syntax/),
      expect.stringMatching(/backendRefs\[0\] Service "orders" has no port: Linkerd rejects a Service backendRef without one/),
    ]);
  });

  test('annotation grammars: retry, timeout, failure accrual, proxy configuration', () => {
    const objects = readFixture('linkerd-seeded-annotations.yaml');
    expect(errorsAndWarnings(objects)).toEqual([
      'error linkerd/annotations 2',
      'error linkerd/annotations 2',
      'error linkerd/annotations 2',
      'warning linkerd/non-idempotent-retry 2',
      'error linkerd/annotations 15',
      'error linkerd/annotations 15',
      'error linkerd/proxy-config 29',
      'error linkerd/proxy-config 36',
      'error linkerd/proxy-config 36',
      'warning linkerd/proxy-config 36',
      'error linkerd/proxy-config 36',
    ]);
    expect(messages(objects, 'linkerd/annotations')).toEqual([
      expect.stringMatching(/retry.linkerd.io\/http: "5xx,600" is rejected by the policy controller \(invalid retry condition: 600\)/),
      expect.stringMatching(/timeout.linkerd.io\/request: "10" is rejected by the policy controller/),
      expect.stringMatching(/timeout.linkerd.io\/total is not one Linkerd reads/),
      expect.stringMatching(/min-penalty \(120000ms\) cannot exceed max-penalty \(60000ms\)/),
      expect.stringMatching(/success-rate-threshold: "1.5" is rejected by the policy controller/),
    ]);
    expect(messages(objects, 'linkerd/proxy-config')).toEqual([
      expect.stringMatching(/namespace annotation linkerd.io\/inject: "true" is not a value the proxy injector knows/),
      expect.stringMatching(/default-inbound-policy: "allow" is ignored by the policy controller/),
      expect.stringMatching(/opaque-ports: "5432,70000" has entries Linkerd cannot read \("70000"\)/),
      expect.stringMatching(/proxy-enable-native-sidecar: "yes" is not a boolean the injector reads/),
      expect.stringMatching(/linkerd.io\/inject on the Deployment's own metadata is ignored/),
    ]);
  });

  test('conflicts: a ServiceProfile with routes silently wins over the Service\'s annotations and HTTPRoutes', () => {
    const objects = readFixture('linkerd-seeded-conflicts.yaml');
    expect(errorsAndWarnings(objects)).toEqual([
      'warning linkerd/non-idempotent-retry 2',
      'error linkerd/profile-conflict 15',
      'error linkerd/profile-conflict 15',
      'error linkerd/profile-conflict 50',
      'error linkerd/profile-conflict 58',
    ]);
    expect(messages(objects, 'linkerd/profile-conflict')).toEqual([
      expect.stringMatching(/^Service shop\/books has the annotations retry.linkerd.io\/http, timeout.linkerd.io\/request, but the ServiceProfile .* silently wins/),
      expect.stringMatching(/^HTTPRoute shop\/books-split \(test\/fixtures\/check\/linkerd-seeded-conflicts.yaml:27\) attaches to Service shop\/books, but/),
      expect.stringMatching(/^Service shop\/db is headless \(clusterIP: None\)/),
      expect.stringMatching(/is also defined at test\/fixtures\/check\/linkerd-seeded-conflicts.yaml:15: Kubernetes keeps only one object/),
    ]);
  });

  test('Servers: overlap, probe authorization, policy without a proxy, and the mTLS coverage report', () => {
    const objects = readFixture('linkerd-seeded-servers.yaml');
    expect(errorsAndWarnings(objects)).toEqual([
      'error linkerd/probe-authorization 38',
      'error linkerd/server-overlap 49',
      'error linkerd/probe-authorization 60',
      'error linkerd/server-unmeshed 123',
      'warning linkerd/mtls-coverage 104',
      'warning linkerd/mtls-coverage 15',
    ]);
    expect(messages(objects, 'linkerd/server-overlap')).toEqual([
      'selects port 8080 of Deployment shop/web, which Server shop/web-http also selects: Linkerd allows one Server per pod port',
    ]);
    expect(messages(objects, 'linkerd/probe-authorization')).toEqual([
      expect.stringMatching(/^HTTPRoute shop\/web-api attaches to this Server, so Linkerd no longer authorizes the kubelet probes \(GET \/ready on port 8080 of Deployment shop\/web\)/),
      expect.stringMatching(/^the kubelet's HTTP\/1.1 probes \(GET \/live on port 9090 of Deployment shop\/web\) would fail: .* proxyProtocol gRPC Server as HTTP\/2/),
    ]);
    expect(messages(objects, 'linkerd/server-unmeshed')).toEqual([expect.stringMatching(/^selects Deployment legacy\/reports, which is not meshed/)]);
    expect(messages(objects, 'linkerd/mtls-coverage')).toEqual([
      expect.stringMatching(/^declared traffic would not be mTLS: clients of MeshTLSAuthentication legacy\/reports-clients/),
      expect.stringMatching(/^declared traffic would not be mTLS: unauthenticated clients from 0.0.0.0\/0 -> port 8080 \(AuthorizationPolicy shop\/web-api\)/),
      'mTLS coverage (Linkerd 2.20): 2 workloads, 1 meshed; 2 declared flows, 0 mTLS, 2 not mTLS',
    ]);
  });
});

describe('a partial view of a cluster', () => {
  test('references to objects not in the input are notes', () => {
    const found = run(readFixture('linkerd-seeded-policy.yaml')).filter(f => f.rule === 'linkerd/missing-reference');
    expect(found.map(f => `${brief(f)}: ${f.message}`)).toEqual([
      expect.stringMatching(/^note linkerd\/missing-reference 42: selects no workload in the input/),
      'note linkerd/missing-reference 11: requiredAuthenticationRef MeshTLSAuthentication shop/a is not in the input',
      'note linkerd/missing-reference 11: requiredAuthenticationRef MeshTLSAuthentication shop/b is not in the input',
      'note linkerd/missing-reference 67: parentRef Service shop/orders is not in the input',
    ]);
  });

  test('a Server on a workload whose namespace is not in the input: whether it is meshed is a note, and its probes are checked', () => {
    const objects = readYaml(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web
          ports: [{ name: grpc, containerPort: 9090 }]
          livenessProbe: { httpGet: { path: /live, port: grpc } }
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: web-grpc, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: grpc, proxyProtocol: gRPC }
`, 'partial.yaml');
    const found = run(objects).filter(f => f.rule !== 'linkerd/mtls-coverage').map(brief);
    expect(found).toEqual(['note linkerd/server-unmeshed 16', 'error linkerd/probe-authorization 16']);
  });

  test('a ServiceProfile whose Service is not in the input is a note', () => {
    const found = run(readFixture('linkerd-seeded-service-profile.yaml')).filter(f => f.rule === 'linkerd/missing-reference');
    expect(found.map(brief)).toEqual(['note linkerd/missing-reference 2', 'note linkerd/missing-reference 24', 'note linkerd/missing-reference 48']);
  });
});

describe('the Linkerd version', () => {
  const server = readYaml(`
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: web, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: 8080, accessPolicy: audit }
`, 'server.yaml');

  test('defaults to the library\'s default version', () => {
    expect(run(server).filter(f => f.severity === 'error')).toEqual([]);
  });

  test('fails a Server accessPolicy before 2.16, when given an older version', () => {
    const found = linkerdRuleFamily({ version: LinkerdVersion.V2_14 }).run(server).filter(f => f.severity === 'error');
    expect(found.map(f => `${brief(f)}: ${f.message}`)).toEqual(['error linkerd/policy-admission 2: accessPolicy needs Linkerd 2.16 or later (Server v1beta3 with accessPolicy), but this is Linkerd 2.14']);
  });
});

describe('each rule', () => {
  const one = (yaml: string) => run(readYaml(yaml, 'one.yaml')).filter(f => f.severity !== 'note').map(f => `${brief(f)}: ${f.message}`);

  test('fails a ServerAuthorization with unauthenticatedTLS and identities', () => {
    expect(one(`
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: { name: a, namespace: shop }
spec:
  server: { name: web }
  client: { meshTLS: { unauthenticatedTLS: true, identities: ["web.shop.serviceaccount.identity.linkerd.cluster.local"] } }
`)).toEqual([expect.stringMatching(/^error linkerd\/policy-admission 2: client.meshTLS.unauthenticatedTLS must be false when meshTLS has identities or serviceAccounts/)]);
  });

  test('fails a ServerAuthorization whose network exception covers its whole cidr', () => {
    expect(one(`
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: { name: a, namespace: shop }
spec:
  server: { name: web }
  client: { unauthenticated: true, networks: [{ cidr: 10.0.0.0/8, except: [10.0.0.0/7] }] }
`)).toEqual([expect.stringMatching(/^error linkerd\/policy-admission 2: network 10.0.0.0\/8 except "10.0.0.0\/7" covers the whole cidr/)]);
  });

  test('fails a Server with a proxyProtocol outside the CRD\'s enum, or a port that is no port', () => {
    expect(one(`
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: a, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: 0, proxyProtocol: HTTP/3 }
`)).toEqual([
      expect.stringMatching(/^error linkerd\/policy-admission 2: proxyProtocol "HTTP\/3" is not allowed: use one of unknown, HTTP\/1, HTTP\/2, gRPC, opaque, TLS/),
      expect.stringMatching(/^error linkerd\/policy-admission 2: port 0 is not allowed: use a port number from 1 to 65535 or a container port name/),
    ]);
  });

  test('warns of HTTP retries on an HTTPRoute whose rules match a method that is not idempotent', () => {
    expect(one(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: a, namespace: shop, annotations: { retry.linkerd.io/http: 5xx } }
spec:
  parentRefs: [{ kind: Service, name: api, port: 80 }]
  rules: [{ matches: [{ method: GET }, { method: POST }] }]
`)).toEqual([expect.stringMatching(/^warning linkerd\/non-idempotent-retry 2: retry.linkerd.io\/http applies to POST, which is not idempotent/)]);
    expect(one(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: a, namespace: shop, annotations: { retry.linkerd.io/http: 5xx } }
spec:
  parentRefs: [{ kind: Service, name: api, port: 80 }]
  rules: [{ matches: [{ method: GET, path: { type: PathPrefix, value: /books } }] }]
`)).toEqual([]);
  });

  test('fails an EgressNetwork with an empty networks list, or an exception outside its cidr', () => {
    const egress = (networks: string) => one(`
apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata: { name: internet, namespace: egress }
spec: { trafficPolicy: Allow, networks: ${networks} }
`);
    expect(egress('[]')).toEqual(['error linkerd/policy-admission 2: networks, when set, must not be empty: give at least one network, or leave networks unset']);
    expect(egress('[{ cidr: 0.0.0.0/0, except: [10.0.0.0/8] }]')).toEqual([]);
    expect(egress('[{ cidr: 10.0.0.0/8, except: [192.168.0.0/16] }]')).toEqual([expect.stringMatching(/^error linkerd\/policy-admission 2: network 10.0.0.0\/8 except "192.168.0.0\/16" is outside its cidr/)]);
  });

  test('fails an HTTPLocalRateLimitPolicy the admission webhook refuses', () => {
    expect(one(`
apiVersion: policy.linkerd.io/v1alpha1
kind: HTTPLocalRateLimitPolicy
metadata: { name: web, namespace: shop }
spec:
  targetRef: { group: policy.linkerd.io, kind: Server, name: web }
  total: { requestsPerSecond: 100 }
  identity: { requestsPerSecond: 200 }
  overrides:
    - { requestsPerSecond: 0, clientRefs: [{ kind: Deployment, name: batch }] }
`)).toEqual([
      'error linkerd/policy-admission 2: identity.requestsPerSecond 200 must not exceed total.requestsPerSecond 100',
      'error linkerd/policy-admission 2: overrides[0].requestsPerSecond must be greater than 0',
      'error linkerd/policy-admission 2: overrides[0].clientRefs[0] must be a ServiceAccount',
    ]);
    expect(one(`
apiVersion: policy.linkerd.io/v1alpha1
kind: HTTPLocalRateLimitPolicy
metadata: { name: web, namespace: shop }
spec: { targetRef: { kind: Deployment, name: web }, total: { requestsPerSecond: 0 } }
`)).toEqual([
      'error linkerd/policy-admission 2: targetRef "Deployment" is not allowed: target a policy.linkerd.io Server',
      'error linkerd/policy-admission 2: total.requestsPerSecond must be greater than 0',
    ]);
  });

  test('fails a GRPCRoute to an EgressNetwork without a port, a TCPRoute with two rules, a GRPCRoute Service backend without a port', () => {
    expect(one(`
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: a, namespace: shop }
spec:
  parentRefs: [{ group: policy.linkerd.io, kind: EgressNetwork, name: internet }]
  rules: [{ backendRefs: [{ name: api }] }]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: { name: b, namespace: shop }
spec:
  parentRefs: [{ kind: Service, name: db, port: 5432 }]
  rules: [{ backendRefs: [{ name: db, port: 5432 }] }, { backendRefs: [{ name: db2, port: 5432 }] }]
`)).toEqual([
      'error linkerd/policy-admission 2: parentRefs[0] EgressNetwork "internet" has no port: Linkerd rejects a route to an EgressNetwork without one',
      'error linkerd/policy-admission 2: rules[0].backendRefs[0] Service "api" has no port: Linkerd rejects a Service backendRef without one',
      'error linkerd/policy-admission 9: TCPRoute has 2 rules: Linkerd admits a TCPRoute with exactly one rule',
    ]);
  });

  test('fails a policy.linkerd.io HTTPRoute with a relative redirect path', () => {
    expect(one(`
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: { name: a, namespace: shop }
spec:
  parentRefs: [{ group: policy.linkerd.io, kind: Server, name: web }]
  rules:
    - filters: [{ type: RequestRedirect, requestRedirect: { path: { type: ReplaceFullPath, replaceFullPath: "login" } } }]
`)).toEqual([expect.stringMatching(/^error linkerd\/http-route 2: rules\[0\].filters\[0\].requestRedirect.path "login" must be an absolute path/)]);
  });

  test('fails a GRPCRoute with an HTTP retry annotation or a balancer annotation', () => {
    expect(one(`
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: a
  namespace: shop
  annotations: { retry.linkerd.io/http: 5xx, balancer.linkerd.io/failure-accrual: consecutive }
spec:
  parentRefs: [{ kind: Service, name: api, port: 9090 }]
`)).toEqual([
      'error linkerd/annotations 2: annotation balancer.linkerd.io/failure-accrual has no effect on a GRPCRoute: failure accrual and load balancing are read from the Service only',
      'error linkerd/annotations 2: annotation retry.linkerd.io/http is not valid on a GRPCRoute: use retry.linkerd.io/grpc',
    ]);
  });

  test('fails a namespace\'s skip-inbound-ports and a pod\'s require-identity ports that Linkerd cannot read', () => {
    expect(one(`
apiVersion: v1
kind: Namespace
metadata: { name: shop, annotations: { config.linkerd.io/skip-inbound-ports: "4190-4191,http" } }
---
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop, annotations: { config.linkerd.io/proxy-require-identity-inbound-ports: "8080-80" } }
spec: { containers: [{ name: c, image: c }] }
`)).toEqual([
      expect.stringMatching(/^error linkerd\/proxy-config 2: namespace annotation config.linkerd.io\/skip-inbound-ports: "4190-4191,http" has entries Linkerd cannot read \("http"\)/),
      expect.stringMatching(/^error linkerd\/proxy-config 6: pod annotation config.linkerd.io\/proxy-require-identity-inbound-ports: "8080-80" has entries Linkerd cannot read \("8080-80"\)/),
    ]);
  });

  test('fails a Server on a workload whose pod template disables injection, whatever the namespace', () => {
    expect(one(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web }, annotations: { linkerd.io/inject: disabled } }
    spec: { containers: [{ name: web, image: web, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: web, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: 8080 }
`)).toEqual([expect.stringMatching(/^error linkerd\/server-unmeshed 11: selects Deployment shop\/web, which is not meshed \(its pod template has linkerd.io\/inject: disabled\)/)]);
  });

  test('fails two Servers with the same podSelector and port, even without their workload in the input', () => {
    const server = (name: string) => `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: ${name}, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: 8080 }`;
    expect(one(`${server('a')}\n---${server('b')}`)).toEqual(['error linkerd/server-overlap 7: has the same podSelector and port as Server shop/a: Linkerd allows one Server per pod port']);
  });

  test('fails an HTTPS probe on an HTTP/1 Server', () => {
    expect(one(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web }, annotations: { linkerd.io/inject: enabled } }
    spec:
      containers:
        - { name: web, image: web, ports: [{ containerPort: 8443 }], readinessProbe: { httpGet: { path: /ready, port: 8443, scheme: HTTPS } } }
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: web, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: 8443, proxyProtocol: HTTP/1 }
`)).toEqual([expect.stringMatching(/^error linkerd\/probe-authorization 13: the kubelet's HTTPS probes \(HTTPS GET \/ready on port 8443 of Deployment shop\/web\) would fail/)]);
  });

  test('accepts probes authorized in YAML the way Server.authorizeProbes writes them', () => {
    const objects = readYaml(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web }, annotations: { linkerd.io/inject: enabled } }
    spec:
      containers:
        - { name: web, image: web, ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: /ready, port: 8080 } } }
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: web, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, port: 8080 }
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: { name: web-api, namespace: shop }
spec: { parentRefs: [{ group: policy.linkerd.io, kind: Server, name: web }], rules: [{ matches: [{ path: { type: PathPrefix, value: /api } }] }] }
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: { name: web-probes, namespace: shop }
spec: { parentRefs: [{ group: policy.linkerd.io, kind: Server, name: web }], rules: [{ matches: [{ path: { type: Exact, value: /ready }, method: GET }] }] }
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: { name: web-probes, namespace: shop }
spec: { networks: [{ cidr: 0.0.0.0/0 }, { cidr: "::/0" }] }
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: web-probes, namespace: shop }
spec:
  targetRef: { group: policy.linkerd.io, kind: HTTPRoute, name: web-probes }
  requiredAuthenticationRefs: [{ group: policy.linkerd.io, kind: NetworkAuthentication, name: web-probes }]
`, 'probes.yaml');
    expect(run(objects).filter(f => f.rule === 'linkerd/probe-authorization')).toEqual([]);
    // without the probe route and its policy, the readiness probe is refused
    const withoutProbes = objects.filter(o => !String(o.object.metadata?.name).endsWith('-probes'));
    expect(run(withoutProbes).filter(f => f.rule === 'linkerd/probe-authorization').map(f => f.message))
      .toEqual([expect.stringMatching(/^HTTPRoute shop\/web-api attaches to this Server, so Linkerd no longer authorizes the kubelet probes \(GET \/ready .*\(in YAML: an HTTPRoute with the probe paths/)]);
  });

  test('a ServiceProfile without routes or dstOverrides leaves the Service\'s annotations and routes in force', () => {
    const objects = readFixture('linkerd-seeded-conflicts.yaml').filter(o => o.line !== 15);
    expect(run(objects).filter(f => f.rule === 'linkerd/profile-conflict').map(brief)).toEqual(['error linkerd/profile-conflict 50']);
  });

  test('references to a Server or route not in the input are notes', () => {
    const found = run(readYaml(`
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: a, namespace: shop }
spec: { targetRef: { group: policy.linkerd.io, kind: Server, name: web }, requiredAuthenticationRefs: [] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: shop }
spec: { parentRefs: [{ group: policy.linkerd.io, kind: Server, name: api }] }
`, 'refs.yaml'));
    expect(found.map(f => `${brief(f)}: ${f.message}`)).toEqual([
      'note linkerd/missing-reference 2: targetRef Server shop/web is not in the input',
      'note linkerd/missing-reference 7: parentRef Server shop/api is not in the input',
    ]);
  });
});

describe('the default dist/', () => {
  test('has no Linkerd errors or warnings', () => {
    const dist = path.join(__dirname, '..', '..', 'dist');
    const files = fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).map(f => `dist/${f}`);
    expect(files.length).toBeGreaterThan(0);
    const objects = files.flatMap(f => readYaml(fs.readFileSync(path.join(dist, '..', f), 'utf8'), f));
    expect(run(objects).filter(f => f.severity !== 'note').map(f => `${brief(f)}: ${f.message}`)).toEqual([]);
  });
});

describe('proxy configuration annotations', () => {
  const podWith = (annotations: Record<string, string>) => readYaml(`
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop, annotations: ${JSON.stringify(annotations)} }
spec: { containers: [{ name: c, image: c }] }
`, 'pod.yaml');
  const proxyConfig = (annotations: Record<string, string>, version?: LinkerdVersion) => (version ? linkerdRuleFamily({ version }) : linkerdRules)
    .run(podWith(annotations)).filter(f => f.rule === 'linkerd/proxy-config').map(f => `${f.severity}: ${f.message}`);

  test('accepts the values the proxy injector reads', () => {
    expect(proxyConfig({
      'config.linkerd.io/proxy-cpu-request': '100m', 'config.linkerd.io/proxy-cpu-limit': '1', 'config.linkerd.io/proxy-memory-request': '20Mi',
      'config.linkerd.io/proxy-memory-limit': '250Mi', 'config.linkerd.io/proxy-cpu-ratio-limit': '0.5', 'config.linkerd.io/proxy-await': 'enabled',
      'config.linkerd.io/shutdown-grace-period': '30s', 'config.linkerd.io/proxy-log-level': 'warn,linkerd=info', 'config.linkerd.io/proxy-log-format': 'json',
      'config.linkerd.io/access-log': 'apache', 'config.linkerd.io/default-inbound-policy': 'audit',
    })).toEqual([]);
  });

  test('fails a resource that is not a quantity, and a limit below its request', () => {
    expect(proxyConfig({ 'config.linkerd.io/proxy-cpu-request': '1 core', 'config.linkerd.io/proxy-memory-request': '1Gi', 'config.linkerd.io/proxy-memory-limit': '512Mi' })).toEqual([
      'error: annotation config.linkerd.io/proxy-cpu-request: "1 core" is ignored by the proxy injector: use a Kubernetes quantity such as 100m, 0.5 or 64Mi',
      'error: proxy memory limit 512Mi is below the memory request 1Gi: Kubernetes refuses a container whose limit is below its request',
    ]);
  });

  test('fails a cpu ratio limit outside (0, 1), an await or shutdown grace period the injector ignores', () => {
    expect(proxyConfig({ 'config.linkerd.io/proxy-cpu-ratio-limit': '1', 'config.linkerd.io/proxy-await': 'true', 'config.linkerd.io/shutdown-grace-period': '30' })).toEqual([
      'error: annotation config.linkerd.io/proxy-cpu-ratio-limit: "1" is ignored by the proxy injector: use a number strictly between 0.0 and 1.0',
      'error: annotation config.linkerd.io/proxy-await: "true" is ignored by the proxy injector: use enabled or disabled',
      'error: annotation config.linkerd.io/shutdown-grace-period: "30" is ignored by the proxy injector: use a Go duration such as 30s or 1m30s',
    ]);
  });

  test('fails the audit default inbound policy before 2.16', () => {
    expect(proxyConfig({ 'config.linkerd.io/default-inbound-policy': 'audit' }, LinkerdVersion.V2_14)).toEqual([
      expect.stringMatching(/^error: annotation config.linkerd.io\/default-inbound-policy: audit needs Linkerd 2.16 or later/),
    ]);
  });

  test('warns of a log level or format the CLI would refuse', () => {
    expect(proxyConfig({ 'config.linkerd.io/proxy-log-level': 'verbose!', 'config.linkerd.io/proxy-log-format': 'logfmt', 'config.linkerd.io/access-log': 'clf' })).toEqual([
      'warning: annotation config.linkerd.io/proxy-log-level: "verbose!" is not a proxy log level the linkerd CLI accepts: use env_logger directives such as warn,linkerd=info',
      'warning: annotation config.linkerd.io/proxy-log-format: "logfmt" is not a format the proxy knows: use plain or json',
      'warning: annotation config.linkerd.io/access-log: "clf" is not a format the proxy knows: use apache or json',
    ]);
  });
});
