import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { linkerdRules } from '../../src/check/linkerd';
import { LinkerdVersion } from '../../src/linkerd';
import { Server, ServerPort } from '../../src/mesh';

/** One implementation per rule: a construct's rendered object fails synth with the message check gives for it. */
describe('the constructs and check share their rules', () => {
  function patchedServer(patch: JsonPatch): { chart: Chart; apiObject: ApiObject } {
    const chart = new Chart(Testing.app(), 'test');
    const server = new Server(chart, 'server', {
      metadata: { name: 'web', namespace: 'shop' }, version: LinkerdVersion.V2_20, podSelector: { app: 'web' }, port: ServerPort.of(8080),
    });
    server.apiObject.addJsonPatch(patch);
    return { chart, apiObject: server.apiObject };
  }

  test('fails a Server whose accessPolicy an escape-hatch patch made invalid, at synth and in check', () => {
    const { chart, apiObject } = patchedServer(JsonPatch.add('/spec/accessPolicy', 'allow-all'));
    const message = 'accessPolicy "allow-all" is not allowed: use one of all-unauthenticated, all-authenticated, cluster-unauthenticated, '
      + 'cluster-authenticated, deny, audit';
    expect(() => Testing.synth(chart)).toThrow(message);
    const found = linkerdRules.run([{ object: apiObject.toJson(), file: 'web.yaml', line: 1 }]).filter(f => f.severity === 'error');
    expect(found.map(f => f.message)).toEqual([message]);
  });

  test('fails a Server whose proxyProtocol an escape-hatch patch made invalid', () => {
    const { chart } = patchedServer(JsonPatch.add('/spec/proxyProtocol', 'HTTP/3'));
    expect(() => Testing.synth(chart)).toThrow(/proxyProtocol "HTTP\/3" is not allowed/);
  });
});
