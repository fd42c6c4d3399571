import { SchemaGate } from '../../src/gate/schema-gate';
import { sharedGate } from '../_gate';

/** A Gateway API HTTPRoute whose backendRef to a Service has no port: the CRD's CEL rule refuses it. */
const route = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { parentRefs: [{ name: 'gateway' }], rules: [{ backendRefs: [{ name: 'web' }] }], ...spec },
});

describe('the schema gate runs a custom kind\'s CEL rules', () => {
  test('fails an object that passes its schema but not a CEL rule, with the rule\'s message', () => {
    expect(sharedGate().validate(route()).map(p => p.message)).toStrictEqual([
      'spec.rules[0].backendRefs[0]: Invalid value: Must have port for Service reference',
    ]);
  });

  // kubernetes/apiextensions-apiserver@v0.36.0:pkg/registry/customresource/strategy.go:216-223 (hasBlockingErr at :405-412)
  test('judges no CEL rule on an object its schema refuses (as the API server skips them after a blocking error)', () => {
    const messages = sharedGate().validate(route({ hostnamez: ['x'] })).map(p => p.message);
    expect(messages).toStrictEqual(['spec.hostnamez is not allowed (unknown field)']);
  });

  test('checks the schema alone with cel: false', () => {
    expect(sharedGate().validate(route(), { cel: false })).toStrictEqual([]);
  });

  test('fails an object with a CEL rule it cannot evaluate, naming the rule: the gate never vouches for what it did not check', () => {
    jest.isolateModules(() => {
      jest.doMock('../../src/gate/cel', () => ({
        celProblems: () => ({ problems: [], unevaluated: ['spec: rule "self.x()" not evaluated: unbound function x'] }),
      }));
      const gate = (require('../../src/gate/schema-gate') as { SchemaGate: typeof SchemaGate }).SchemaGate.load();
      expect(gate.validate(route()).map(p => p.message)).toStrictEqual(['CEL rule not evaluated: spec: rule "self.x()" not evaluated: unbound function x']);
    });
  });
});
