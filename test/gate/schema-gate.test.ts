import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CompilingCatalogue } from '../../src/gate/schema-compiler';
import { SchemaGate } from '../../src/gate/schema-gate';

const ROOT = path.join(__dirname, '..', '..');

const namespace = () => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'linkerd', labels: { 'linkerd.io/is-control-plane': 'true' } },
});

const configMap = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'linkerd-config', namespace: 'linkerd' },
  data: { 'values.yaml': 'a: b\n' },
});

const secret = () => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'linkerd-trust-anchor', namespace: 'cert-manager' },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' },
});

const certificate = (): any => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
  spec: {
    secretName: 'linkerd-identity-issuer',
    duration: '48h0m0s',
    renewBefore: '25h0m0s',
    issuerRef: { name: 'linkerd-trust-anchor', kind: 'ClusterIssuer' },
    commonName: 'identity.linkerd.cluster.local',
    dnsNames: ['identity.linkerd.cluster.local'],
    isCA: true,
    privateKey: { algorithm: 'ECDSA', size: 256 },
    usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
  },
});

const issuer = () => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Issuer',
  metadata: { name: 'selfsigned', namespace: 'cert-manager' },
  spec: { selfSigned: {} },
});

const clusterIssuer = () => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'ClusterIssuer',
  metadata: { name: 'linkerd-trust-anchor' },
  spec: { ca: { secretName: 'linkerd-trust-anchor' } },
});

const bundle = () => ({
  apiVersion: 'trust.cert-manager.io/v1alpha1',
  kind: 'Bundle',
  metadata: { name: 'linkerd-identity-trust-roots' },
  spec: {
    sources: [{ secret: { name: 'linkerd-trust-anchor', key: 'tls.crt' } }],
    target: {
      configMap: { key: 'ca-bundle.crt' },
      namespaceSelector: { matchLabels: { 'linkerd.io/is-control-plane': 'true' } },
    },
  },
});

const application = () => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'linkerd', namespace: 'argocd' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://example.com/platform.git', path: 'dist/linkerd', targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'linkerd' },
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
  },
});

const server = (port: unknown) => ({
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'Server',
  metadata: { name: 'linkerd-admin', namespace: 'linkerd' },
  spec: { podSelector: { matchLabels: { 'linkerd.io/control-plane-ns': 'linkerd' } }, port },
});

const service = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'app' },
  spec: { ports: [{ port: 80, targetPort: 'http' }], ...spec },
});

// The same tests for both ways a gate gets its validators: ahead of time (the build's lib/validators/, what
// SchemaGate.load() uses when it is there) and compiled from crds/ on first use. One gate each for all tests:
// validators are loaded or compiled on first use and cached per gate.
const precompiled = SchemaGate.load();
const compiling = SchemaGate.loadCompiling();

test('SchemaGate.load() uses the validators the build compiled ahead of time', () => {
  expect(precompiled.catalogue.constructor.name).toBe('PrecompiledCatalogue');
  expect(compiling.catalogue.constructor.name).toBe('CompilingCatalogue');
});

/** Every version of every vendored CRD, from crds/*.yaml: parsed once (seconds of YAML), for both gates. */
let crdVersions: { file: string; group: string; version: string; kind: string }[] | undefined;
function vendoredCrdVersions(): NonNullable<typeof crdVersions> {
  if (crdVersions) return crdVersions;
  crdVersions = [];
  for (const file of fs.readdirSync(path.join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(ROOT, 'crds', file), 'utf8');
    for (const crd of parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d != null)) {
      for (const version of crd.spec.versions) crdVersions.push({ file, group: crd.spec.group, version: version.name, kind: crd.spec.names.kind });
    }
  }
  return crdVersions;
}

/** What the vendored schemas define, read once for both gates. */
let inventory: ReturnType<CompilingCatalogue['inventory']> | undefined;
function vendoredInventory(): NonNullable<typeof inventory> {
  inventory ??= new CompilingCatalogue(ROOT).inventory();
  return inventory;
}

describe.each([
  ['precompiled', precompiled],
  ['compiled on first use', compiling],
])('SchemaGate, %s', (_how, gate) => {
  test.each([
    ['Namespace', namespace()],
    ['ConfigMap', configMap()],
    ['Secret', secret()],
    ['Certificate', certificate()],
    ['Issuer', issuer()],
    ['ClusterIssuer', clusterIssuer()],
    ['Bundle', bundle()],
    ['Application', application()],
    ['Server with a named port', server('linkerd-admin')],
    ['Server with a numeric port', server(4191)],
    ['Service with named and numeric targetPorts', service({ ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] })],
  ])('passes a valid %s', (_name, obj) => {
    expect(gate.validate(obj)).toEqual([]);
  });

  test('passes a linkerd HTTPRoute with a Go duration', () => {
    expect(gate.validate(httpRoute('10s'))).toEqual([]);
  });

  test('validateAll returns the problems of all objects in order', () => {
    const bad = certificate();
    bad.spec.dnsName = ['x'];
    expect(gate.validateAll([namespace(), bad, { ...configMap(), datta: {} }])).toEqual([
      { object: 'Certificate linkerd/linkerd-identity-issuer', message: 'spec.dnsName is not allowed (unknown field)' },
      { object: 'ConfigMap linkerd/linkerd-config', message: 'kubernetes v1.25.0, v1.36.0: datta is not allowed (unknown field)' },
    ]);
  });

  test('fails a misspelt spec field on a Certificate: spec.dnsName is not allowed (unknown field)', () => {
    const obj = certificate();
    obj.spec.dnsName = obj.spec.dnsNames;
    expect(gate.validate(obj)).toEqual([
      { object: 'Certificate linkerd/linkerd-identity-issuer', message: 'spec.dnsName is not allowed (unknown field)' },
    ]);
  });

  test('fails a misspelt metadata field on a Namespace: metadata.lables is not allowed (unknown field), in both kubernetes versions', () => {
    const obj: any = namespace();
    obj.metadata.lables = obj.metadata.labels;
    expect(gate.validate(obj)).toEqual([
      { object: 'Namespace linkerd', message: 'kubernetes v1.25.0, v1.36.0: metadata.lables is not allowed (unknown field)' },
    ]);
  });

  test('fails a misspelt top-level field on a ConfigMap: datta is not allowed (unknown field)', () => {
    expect(gate.validate({ ...configMap(), datta: { a: 'b' } })).toEqual([
      { object: 'ConfigMap linkerd/linkerd-config', message: 'kubernetes v1.25.0, v1.36.0: datta is not allowed (unknown field)' },
    ]);
  });

  test('fails a misspelt metadata field on a custom kind: metadata.lables is not allowed (unknown field)', () => {
    const obj: any = clusterIssuer();
    obj.metadata.lables = { a: 'b' };
    expect(gate.validate(obj)).toEqual([
      { object: 'ClusterIssuer linkerd-trust-anchor', message: 'metadata.lables is not allowed (unknown field)' },
    ]);
  });

  test('fails a wrong type: spec.privateKey.size must be integer', () => {
    const obj = certificate();
    obj.spec.privateKey.size = '256';
    expect(gate.validate(obj)).toEqual([
      { object: 'Certificate linkerd/linkerd-identity-issuer', message: 'spec.privateKey.size must be integer' },
    ]);
  });

  test('fails a bad enum value: spec.privateKey.algorithm must be one of "RSA", "ECDSA", "Ed25519" (got "DSA")', () => {
    const obj = certificate();
    obj.spec.privateKey.algorithm = 'DSA';
    expect(gate.validate(obj)).toEqual([
      { object: 'Certificate linkerd/linkerd-identity-issuer', message: 'spec.privateKey.algorithm must be one of "RSA", "ECDSA", "Ed25519" (got "DSA")' },
    ]);
  });

  test('fails a missing required field: spec.secretName is required', () => {
    const obj = certificate();
    delete obj.spec.secretName;
    expect(gate.validate(obj)).toEqual([
      { object: 'Certificate linkerd/linkerd-identity-issuer', message: 'spec.secretName is required' },
    ]);
  });

  test('fails a wrong type at the top of a subtree: spec must be object', () => {
    expect(gate.validate({ ...issuer(), spec: 'selfSigned' })).toEqual([
      { object: 'Issuer cert-manager/selfsigned', message: 'spec must be object' },
    ]);
  });

  test('fails an unknown kind: no vendored schema exists for apiVersion example.com/v1, kind Widget', () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' } };
    expect(gate.validate(obj)).toEqual([
      { object: 'Widget default/w', message: 'no vendored schema exists for apiVersion example.com/v1, kind Widget' },
    ]);
    expect(gate.hasSchema('example.com/v1', 'Widget')).toBe(false);
  });

  test('fails an unknown version of a known group: no vendored schema exists for apiVersion cert-manager.io/v1beta1, kind Certificate', () => {
    const obj = { ...certificate(), apiVersion: 'cert-manager.io/v1beta1' };
    expect(gate.validate(obj)).toEqual([
      {
        object: 'Certificate linkerd/linkerd-identity-issuer',
        message: 'no vendored schema exists for apiVersion cert-manager.io/v1beta1, kind Certificate (the vendored crd serves v1)',
      },
    ]);
    expect(gate.hasSchema('cert-manager.io/v1beta1', 'Certificate')).toBe(false);
  });

  test('fails a kind whose case differs: no vendored schema exists for apiVersion cert-manager.io/v1, kind certificate', () => {
    expect(gate.validate({ ...certificate(), kind: 'certificate' })).toEqual([
      { object: 'certificate linkerd/linkerd-identity-issuer', message: 'no vendored schema exists for apiVersion cert-manager.io/v1, kind certificate' },
    ]);
  });

  test('fails a removed built-in version: no vendored schema exists for apiVersion apps/v1beta1, kind Deployment', () => {
    const obj = { apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' } };
    expect(gate.validate(obj)).toEqual([
      { object: 'Deployment default/d', message: 'no vendored schema exists for apiVersion apps/v1beta1, kind Deployment' },
    ]);
  });

  test('fails a boolean for an int-or-string CRD field: spec.port must be integer or string', () => {
    expect(gate.validate(server(true))).toEqual([
      { object: 'Server linkerd/linkerd-admin', message: 'spec.port must be integer or string' },
    ]);
  });

  test('fails a boolean for an int-or-string core field: spec.ports[0].targetPort must be integer or string', () => {
    expect(gate.validate(service({ ports: [{ port: 80, targetPort: true }] }))).toEqual([
      { object: 'Service app/web', message: 'kubernetes v1.25.0, v1.36.0: spec.ports[0].targetPort must be integer or string' },
    ]);
  });

  test('fails data that is not base64 in a Secret: data["tls.key"] must be a valid byte', () => {
    const obj = secret();
    obj.data['tls.key'] = 'not base64!';
    expect(gate.validate(obj)).toEqual([
      { object: 'Secret cert-manager/linkerd-trust-anchor', message: 'kubernetes v1.25.0, v1.36.0: data["tls.key"] must be a valid byte (got "not base64!")' },
    ]);
  });

  test('fails a malformed duration: spec.rules[0].timeouts.request must be a valid duration', () => {
    expect(gate.validate(httpRoute('soon'))).toEqual([
      { object: 'HTTPRoute linkerd-viz/web', message: 'spec.rules[0].timeouts.request must be a valid duration (got "soon")' },
    ]);
  });

  test('fails a field removed after 1.25: kubernetes v1.36.0: status is not allowed (unknown field)', () => {
    const obj = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'linkerd' },
      spec: { podSelector: {} },
      status: {},
    };
    expect(gate.validate(obj)).toEqual([
      { object: 'NetworkPolicy linkerd/deny', message: 'kubernetes v1.36.0: status is not allowed (unknown field)' },
    ]);
  });

  test('fails a field added after 1.25: kubernetes v1.25.0: spec.trafficDistribution is not allowed (unknown field)', () => {
    expect(gate.validate(service({ trafficDistribution: 'PreferClose' }))).toEqual([
      { object: 'Service app/web', message: 'kubernetes v1.25.0: spec.trafficDistribution is not allowed (unknown field)' },
    ]);
  });

  test('fails a kind added after 1.25: kubernetes v1.25.0: no vendored schema exists', () => {
    const obj = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'p' },
      spec: { validations: [{ expression: 'true' }] },
    };
    expect(gate.validate(obj)).toEqual([
      {
        object: 'ValidatingAdmissionPolicy p',
        message: 'kubernetes v1.25.0: no vendored schema exists for apiVersion admissionregistration.k8s.io/v1, kind ValidatingAdmissionPolicy',
      },
    ]);
    expect(gate.hasSchema('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy')).toBe(false);
  });

  test('fails something that is not a Kubernetes object: apiVersion and kind must be non-empty strings', () => {
    expect(gate.validate({ metadata: { name: 'x' } })).toEqual([
      { object: '(no kind) x', message: 'apiVersion and kind must be non-empty strings' },
    ]);
    expect(gate.validate(null)).toEqual([{ object: '(not an object)', message: 'must be an object with apiVersion and kind' }]);
  });

  test('reports every problem of an object', () => {
    const obj = certificate();
    obj.spec.duratoin = '1h';
    obj.spec.privateKey = { algorithm: 'DSA', size: '256' };
    delete obj.spec.issuerRef;
    expect(gate.validate(obj).map((p) => p.message).sort()).toEqual([
      'spec.duratoin is not allowed (unknown field)',
      'spec.issuerRef is required',
      'spec.privateKey.algorithm must be one of "RSA", "ECDSA", "Ed25519" (got "DSA")',
      'spec.privateKey.size must be integer',
    ]);
  });

  test('hasSchema knows built-in and custom kinds', () => {
    expect(gate.hasSchema('v1', 'Namespace')).toBe(true);
    expect(gate.hasSchema('networking.k8s.io/v1', 'NetworkPolicy')).toBe(true);
    expect(gate.hasSchema('trust.cert-manager.io/v1alpha1', 'Bundle')).toBe(true);
    expect(gate.hasSchema('v1', 'Widget')).toBe(false);
  });

  test('has a schema for every version of every vendored crd, compiled without console output', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m));
    for (const { file, group, version, kind } of vendoredCrdVersions()) {
      expect([file, version, kind, gate.hasSchema(`${group}/${version}`, kind)]).toEqual([file, version, kind, true]);
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    spies.forEach((spy) => spy.mockRestore());
  });

  test('has a validator for every built-in kind of every release and every version of every vendored crd, loaded without console output', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m));
    try {
      const inventory = vendoredInventory();
      const core = new Set([...inventory.core.values()].flat());
      const missing: string[] = [];
      for (const gvk of core) {
        const [group, version, kind] = gvk.split('/');
        const inEvery = [...inventory.core.values()].every((gvks) => gvks.includes(gvk));
        if (gate.hasSchema(group ? `${group}/${version}` : version, kind) !== inEvery) missing.push(gvk);
      }
      for (const [groupKind, versions] of inventory.crds) {
        const [group, kind] = groupKind.split('/');
        for (const version of versions) {
          if (!gate.hasSchema(`${group}/${version}`, kind)) missing.push(`${group}/${version}/${kind}`);
        }
      }
      expect(missing).toEqual([]);
      expect(core.size).toBeGreaterThan(300);
      for (const spy of spies) {
        expect(spy).not.toHaveBeenCalled();
      }
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });

  test('finds the repo root by itself', () => {
    expect(SchemaGate.load().hasSchema('v1', 'ConfigMap')).toBe(true);
    expect(() => SchemaGate.load(path.join(ROOT, 'no-such-folder'))).toThrow(/crds/);
  });
});

function httpRoute(timeout: string) {
  return {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'linkerd-viz' },
    spec: {
      parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web' }],
      rules: [{ timeouts: { request: timeout } }],
    },
  };
}
