import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { applySyncWaves } from '../../src/argocd';
import { Certificate, ClusterIssuer, Issuer, IssuerType } from '../../src/cert-manager';
import { synthKind, testChart } from '../_util';

function configMap(scope: Construct, id: string): ApiObject {
  return new k8s.KubeConfigMap(scope, id, { metadata: { name: id } });
}

describe('applySyncWaves', () => {
  test('numbers waves from declared dependencies, through groups, and leaves wave 0 unannotated', () => {
    // GIVEN: namespace ← identity (two objects) ← release; crds independent
    const chart = testChart();
    const namespace = configMap(chart, 'namespace');
    const identity = new Construct(chart, 'identity');
    configMap(identity, 'issuer');
    configMap(identity, 'bundle');
    const crds = configMap(chart, 'crds');
    const release = configMap(chart, 'release');
    identity.node.addDependency(namespace);
    release.node.addDependency(identity, crds);
    // WHEN
    const waves = applySyncWaves(chart);
    // THEN
    expect(Object.fromEntries(waves)).toStrictEqual({ 'test/namespace': 0, 'test/identity/issuer': 1, 'test/identity/bundle': 1, 'test/crds': 0, 'test/release': 2 });
    const annotations = Object.fromEntries(synthKind(chart, 'ConfigMap').map(o => [o.metadata.name, o.metadata.annotations?.['argocd.argoproj.io/sync-wave']]));
    expect(annotations).toStrictEqual({ namespace: undefined, crds: undefined, issuer: '1', bundle: '1', release: '2' });
  });

  test('fails on a dependency cycle', () => {
    const chart = testChart();
    const a = configMap(chart, 'a');
    const b = configMap(chart, 'b');
    a.node.addDependency(b);
    b.node.addDependency(a);
    expect(() => applySyncWaves(chart)).toThrow(/^\[test\/(a|b)\] sync waves: dependency cycle through this object$/);
  });

  // cert-manager@v1.21.1:pkg/issuer/ca/setup.go:49-62: a CA issuer is Ready=False while its Secret is missing;
  // argo-cd@v3.5.1:resource_customizations/cert-manager.io/Issuer/health.lua:5-9 reads that as Degraded
  test('puts a CA Issuer, ClusterIssuer and Bundle after the Certificate that writes their Secret, and each Certificate after its issuer', () => {
    const chart = testChart();
    const selfSigned = new Issuer(chart, 'self', { metadata: { name: 'self', namespace: 'linkerd' }, type: IssuerType.selfSigned() });
    new Certificate(chart, 'ca', { metadata: { name: 'ca', namespace: 'linkerd' }, secretName: 'ca-tls', commonName: 'ca', isCA: true, issuer: selfSigned });
    const ca = new Issuer(chart, 'ca-issuer', { metadata: { name: 'ca-issuer', namespace: 'linkerd' }, type: IssuerType.ca({ secretName: 'ca-tls' }) });
    new Certificate(chart, 'leaf', { metadata: { name: 'leaf', namespace: 'linkerd' }, secretName: 'leaf-tls', commonName: 'leaf', issuer: ca });
    const rootIssuer = new Issuer(chart, 'root', { metadata: { name: 'root', namespace: 'cert-manager' }, type: IssuerType.selfSigned() });
    new Certificate(chart, 'anchor', { metadata: { name: 'anchor', namespace: 'cert-manager' }, secretName: 'anchor', commonName: 'anchor', isCA: true, issuer: rootIssuer });
    new ClusterIssuer(chart, 'cluster-ca', { metadata: { name: 'cluster-ca' }, type: IssuerType.ca({ secretName: 'anchor' }) });
    // an Issuer in another namespace with a Secret of the same name does not depend on it
    new Issuer(chart, 'other', { metadata: { name: 'other', namespace: 'elsewhere' }, type: IssuerType.ca({ secretName: 'ca-tls' }) });
    // a Bundle reads its source from the trust namespace (cert-manager): after the Certificate that writes it
    new ApiObject(chart, 'bundle', { apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'roots' }, spec: { sources: [{ secret: { name: 'anchor', key: 'tls.crt' } }] } });
    const waves = Object.fromEntries(applySyncWaves(chart));
    expect(waves).toStrictEqual({
      'test/bundle': 2,
      'test/self/Resource': 0, 'test/ca/Resource': 1, 'test/ca-issuer/Resource': 2, 'test/leaf/Resource': 3,
      'test/root/Resource': 0, 'test/anchor/Resource': 1, 'test/cluster-ca/Resource': 2, 'test/other/Resource': 0,
    });
  });
});
