import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { CircuitBreaker, HttpRoute, ServiceProfile, ServiceReference } from '../../src/traffic';

const chart = () => new Chart(Testing.app(), 'apps', { namespace: 'shop' });

describe('ServiceReference factories', () => {
  test('fromService reads the name, the chart\'s namespace and the ports of a cdk8s-plus Service', () => {
    const c = chart();
    const books = new kplus.Service(c, 'books', { metadata: { name: 'books' }, ports: [{ port: 7002 }] });
    const breaker = new CircuitBreaker(c, 'cb', { service: ServiceReference.fromService(books) });
    expect(breaker.service).toMatchObject({ name: 'books', namespace: 'shop' });
    expect(ApiObject.of(books).toJson().metadata.annotations['balancer.linkerd.io/failure-accrual']).toBe('consecutive');
    // the one port is the route's port
    expect(new HttpRoute(c, 'route', { service: ServiceReference.fromService(books) }).apiObject.toJson().spec.parentRefs[0].port).toBe(7002);
  });

  test('fromApiObject takes an ApiObject of kind Service, and fails on any other kind, on that object', () => {
    const c = chart();
    const svc = new kplus.k8s.KubeService(c, 'svc', { metadata: { name: 'authors' }, spec: { ports: [{ port: 80 }] } });
    expect(new ServiceProfile(c, 'profile', { service: ServiceReference.fromApiObject(svc) }).name).toBe('authors.shop.svc.cluster.local');
    const deployment = ApiObject.of(new kplus.Deployment(c, 'web', { containers: [{ image: 'nginx' }] }));
    expect(() => ServiceReference.fromApiObject(deployment))
      .toThrow(/^\[apps\/web\/Resource\] is a Deployment \(apps\/v1\), not a Service \(v1\): ServiceReference\.fromApiObject takes an ApiObject of kind Service$/);
  });

  test('fromName refers to a Service outside the app, checked as a Service name', () => {
    const c = chart();
    expect(new ServiceProfile(c, 'profile', { service: ServiceReference.fromName('web', 'shop') }).name).toBe('web.shop.svc.cluster.local');
    expect(() => new ServiceProfile(c, 'bad', { service: ServiceReference.fromName('Web', 'shop') }))
      .toThrow(/^\[apps\/bad\] service name "Web" must be a DNS-1035 label/);
    expect(() => new HttpRoute(c, 'route', { service: ServiceReference.fromName('web', 'shop') }))
      .toThrow(/^\[apps\/route\] service shop\/web is a ServiceReference\.fromName reference: set port/);
  });

  test('fails on a cdk8s-plus Service with no namespace, pointing at fromName', () => {
    const c = new Chart(Testing.app(), 'apps');
    const books = new kplus.Service(c, 'books', { metadata: { name: 'books' }, ports: [{ port: 7002 }] });
    expect(() => new CircuitBreaker(c, 'cb', { service: ServiceReference.fromService(books) }))
      .toThrow(/^\[apps\/cb\] service "books" has no namespace: set metadata\.namespace on the Service \(or its chart's namespace\), or use ServiceReference\.fromName\(name, namespace\)$/);
  });
});
