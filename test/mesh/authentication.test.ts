import { Chart, JsonPatch, Testing } from 'cdk8s';
import { ServiceAccount } from 'cdk8s-plus-25';
import { IdentityRef, MeshIdentity, MeshTLSAuthentication, NetworkAuthentication } from '../../src/mesh';
import { synthKind } from '../_util';

/** A fresh chart named 'test' in namespace `shop`: authentications are namespaced. */
const testChart = () => new Chart(Testing.app(), 'test', { namespace: 'shop' });

describe('MeshTLSAuthentication', () => {
  test('emits identity strings built from ServiceAccounts, the control-plane namespace and the trust domain', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    new MeshTLSAuthentication(chart, 'web', {
      metadata: { name: 'web-clients', namespace: 'shop' },
      identities: [
        MeshIdentity.serviceAccount('api', 'shop'),
        MeshIdentity.serviceAccount('batch', 'jobs', { controlPlaneNamespace: 'mesh', trustDomain: 'corp.example' }),
        MeshIdentity.of('*.shop.serviceaccount.identity.linkerd.cluster.local'),
        MeshIdentity.of('spiffe://corp.example/ns/shop/sa/api'),
      ],
    });
    // THEN
    expect(synthKind(chart, 'MeshTLSAuthentication')).toStrictEqual([{
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: { name: 'web-clients', namespace: 'shop' },
      spec: {
        identities: [
          'api.shop.serviceaccount.identity.linkerd.cluster.local',
          'batch.jobs.serviceaccount.identity.mesh.corp.example',
          '*.shop.serviceaccount.identity.linkerd.cluster.local',
          'spiffe://corp.example/ns/shop/sa/api',
        ],
      },
    }]);
  });

  test('emits identityRefs to ServiceAccounts and Namespaces, skipping repeats', () => {
    const chart = testChart();
    const sa = new ServiceAccount(chart, 'sa', { metadata: { name: 'api', namespace: 'shop' } });
    const authn = new MeshTLSAuthentication(chart, 'web', { metadata: { name: 'web-clients', namespace: 'shop' }, identityRefs: [IdentityRef.fromServiceAccount(sa)] });
    authn.addIdentityRefs(IdentityRef.serviceAccount('api', 'shop'), IdentityRef.namespace('tools'));
    expect(synthKind(chart, 'MeshTLSAuthentication')[0].spec).toStrictEqual({
      identityRefs: [{ kind: 'ServiceAccount', name: 'api', namespace: 'shop' }, { kind: 'Namespace', name: 'tools' }],
    });
    expect(MeshIdentity.all().toString()).toBe('*');
  });

  test('fails on an identity that is neither DNS-like nor spiffe://', () => {
    const chart = testChart();
    expect(() => new MeshTLSAuthentication(chart, 'web', { identities: [MeshIdentity.of('Web_Clients.shop')] }))
      .toThrow(/^\[test\/web\] identity "Web_Clients\.shop" is not allowed: use a DNS-like name \(lowercase alphanumerics and '-' in dot-separated labels, the first may be '\*'\) or a spiffe:\/\/ ID whose path has no empty, '.' or '..' segment$/);
    expect(() => new MeshTLSAuthentication(chart, 'spiffe', { identities: [MeshIdentity.of('spiffe://')] })).toThrow(/identity "spiffe:\/\/" is not allowed/);
    expect(() => new MeshTLSAuthentication(chart, 'inner', { identities: [MeshIdentity.of('api.*.cluster.local')] })).toThrow(/identity "api\.\*\.cluster\.local" is not allowed/);
  });

  test('fails on an identity added later', () => {
    const authn = new MeshTLSAuthentication(testChart(), 'web', { identities: [MeshIdentity.all()] });
    expect(() => authn.addIdentities(MeshIdentity.of('-bad'))).toThrow(/^\[test\/web\] identity "-bad" is not allowed/);
  });

  test('fails on identities and identityRefs together', () => {
    expect(() => new MeshTLSAuthentication(testChart(), 'web', { identities: [MeshIdentity.all()], identityRefs: [IdentityRef.namespace('shop')] }))
      .toThrow(/^\[test\/web\] identities and identityRefs may not be set together: use one of them$/);
  });

  test('fails on a ServiceAccount identityRef that is not a DNS name', () => {
    expect(() => new MeshTLSAuthentication(testChart(), 'web', { identityRefs: [IdentityRef.serviceAccount('API', 'shop')] }))
      .toThrow(/^\[test\/web\] identityRef ServiceAccount name "API" must be a DNS-1123 subdomain/);
  });

  test('fails at synth on a Namespace identityRef given a namespace through the escape hatch', () => {
    const chart = testChart();
    const authn = new MeshTLSAuthentication(chart, 'web', { identityRefs: [IdentityRef.namespace('shop')] });
    authn.apiObject.addJsonPatch(JsonPatch.add('/spec/identityRefs/0/namespace', 'other'));
    expect(() => Testing.synth(chart))
      .toThrow(/\[test\/web\] identityRef Namespace "shop" has namespace "other": a Namespace identityRef is cluster-scoped and cannot have a namespace/);
  });

  test('fails at synth when it authenticates nobody', () => {
    const chart = testChart();
    new MeshTLSAuthentication(chart, 'web');
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] has no identities and no identityRefs: it would authenticate nobody/);
  });

  test('takes the chart\'s namespace, and always renders one', () => {
    const chart = testChart();
    const authn = new MeshTLSAuthentication(chart, 'web', { identities: [MeshIdentity.all()] });
    expect(authn.namespace).toBe('shop');
    expect(synthKind(chart, 'MeshTLSAuthentication')[0].metadata.namespace).toBe('shop');
  });

  test('fails without a namespace', () => {
    expect(() => new MeshTLSAuthentication(new Chart(Testing.app(), 'test'), 'web', { identities: [MeshIdentity.all()] }))
      .toThrow(/^\[test\/web\] a MeshTLSAuthentication is namespaced and has no namespace: set metadata\.namespace or the chart's namespace/);
  });

  test('fails at synth when a patch removes its namespace', () => {
    const chart = testChart();
    new MeshTLSAuthentication(chart, 'web', { identities: [MeshIdentity.all()] }).apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] a MeshTLSAuthentication is namespaced and has no namespace/);
  });
});

describe('NetworkAuthentication', () => {
  test('emits networks with exceptions inside them, IPv4 and IPv6', () => {
    const chart = testChart();
    new NetworkAuthentication(chart, 'office', {
      metadata: { name: 'office', namespace: 'shop' },
      networks: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.4'] }, { cidr: 'fd00::/8', except: ['fd00:1::/32'] }, { cidr: '192.168.1.10' }],
    });
    expect(synthKind(chart, 'NetworkAuthentication')).toStrictEqual([{
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'NetworkAuthentication',
      metadata: { name: 'office', namespace: 'shop' },
      spec: { networks: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.4'] }, { cidr: 'fd00::/8', except: ['fd00:1::/32'] }, { cidr: '192.168.1.10' }] },
    }]);
  });

  test('fails on an except outside its cidr', () => {
    expect(() => new NetworkAuthentication(testChart(), 'office', { networks: [{ cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] }] }))
      .toThrow(/^\[test\/office\] network 10\.0\.0\.0\/16 except "10\.1\.0\.0\/24" is outside its cidr: an exception must lie inside 10\.0\.0\.0\/16$/);
    expect(() => new NetworkAuthentication(testChart(), 'v6', { networks: [{ cidr: 'fd00::/8', except: ['10.0.0.0/8'] }] })).toThrow(/is outside its cidr/);
    expect(() => new NetworkAuthentication(testChart(), 'v6b', { networks: [{ cidr: 'fd00::/16', except: ['fd01::/32'] }] })).toThrow(/is outside its cidr/);
  });

  test('fails on an except that negates its whole cidr', () => {
    expect(() => new NetworkAuthentication(testChart(), 'office', { networks: [{ cidr: '10.0.0.0/16', except: ['10.0.0.0/8'] }] }))
      .toThrow(/^\[test\/office\] network 10\.0\.0\.0\/16 except "10\.0\.0\.0\/8" covers the whole cidr: an exception must leave part of its cidr$/);
  });

  test('fails on a cidr or except that is not one', () => {
    expect(() => new NetworkAuthentication(testChart(), 'office', { networks: [{ cidr: '10.0.0.0/33' }] }))
      .toThrow(/^\[test\/office\] network cidr "10\.0\.0\.0\/33" is not a CIDR or an IP address \(e\.g\. 10\.0\.0\.0\/8, fd00::\/8\)$/);
    expect(() => new NetworkAuthentication(testChart(), 'except', { networks: [{ cidr: '10.0.0.0/8', except: ['ten'] }] }))
      .toThrow(/^\[test\/except\] network 10\.0\.0\.0\/8 except "ten" is not a CIDR or an IP address$/);
  });

  test('fails on no networks', () => {
    expect(() => new NetworkAuthentication(testChart(), 'office', { networks: [] })).toThrow(/^\[test\/office\] networks must not be empty: give at least one network$/);
  });

  test('takes the chart\'s namespace, and fails without one', () => {
    const chart = testChart();
    expect(new NetworkAuthentication(chart, 'office', { networks: [{ cidr: '10.0.0.0/8' }] }).namespace).toBe('shop');
    expect(synthKind(chart, 'NetworkAuthentication')[0].metadata.namespace).toBe('shop');
    expect(() => new NetworkAuthentication(new Chart(Testing.app(), 'test'), 'office', { networks: [{ cidr: '10.0.0.0/8' }] }))
      .toThrow(/^\[test\/office\] a NetworkAuthentication is namespaced and has no namespace: set metadata\.namespace or the chart's namespace/);
  });
});
