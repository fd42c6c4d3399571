import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, LazyResolver, ResolutionContext, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { ProxyProtocol, Server, ServerPort } from '../../src/mesh';
import { synthesize } from '../../src/synth';
import { SchemaValidation } from '../../src/synth/synthesize';

// synthesize() resolves values without cdk8s's per-value resolution machinery when the app has only the built-in
// resolvers (src/_internal/built-in-resolution.ts); these tests pin down that the output is cdk8s's own, value kind by value kind.

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-')); });
afterEach(() => { jest.restoreAllMocks(); fs.rmSync(tmp, { recursive: true, force: true }); });

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** A value with `resolve()` that is not a Lazy (cdk8s's ImplicitTokenResolver). */
class Token {
  constructor(private readonly v: unknown) {}
  public resolve(): unknown { return this.v; }
}

/** A union class like IntOrString, unwrapped to `{ value }` by NumberStringUnionResolver. */
class Union {
  constructor(public readonly value: number | string) {}
}

/** Every kind of value the built-in resolvers treat differently, nested in arrays and objects, with null and undefined. */
function define(app: App): void {
  const chart = new Chart(app, 'values', { namespace: 'apps' });
  new k8s.KubeDeployment(chart, 'web', {
    metadata: { name: 'web', labels: { app: Lazy.any({ produce: () => 'web' }) as any, tier: undefined as any } },
    spec: {
      replicas: Lazy.any({ produce: () => Lazy.any({ produce: () => 2 }) }) as any,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'example.com/resolved': new Token('resolved') as any } },
        spec: {
          containers: [{
            name: 'web',
            image: 'registry.example.com/web:1.0.0',
            args: ['a', null as any, undefined as any, Lazy.any({ produce: () => 'lazy' }) as any],
            resources: { limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromNumber(1024) } },
            ports: [{ containerPort: 8080 }],
          }],
        },
      },
    },
  });
  const raw = new ApiObject(chart, 'raw', {
    apiVersion: 'example.com/v1',
    kind: 'Thing',
    metadata: { name: 'thing' },
    spec: {
      union: new Union(7), stringUnion: new Union('x'), nested: [[1, null, { implicit: new Token(new Union(3)) }], []], empty: {},
      lazyObject: Lazy.any({ produce: () => ({ a: new Token([Lazy.any({ produce: () => 1 })]), b: undefined }) }),
      plainWithResolve: { resolve: () => 'from a plain object' },
      flag: false, zero: 0, text: '',
    },
  });
  raw.addJsonPatch(JsonPatch.add('/spec/patched', true));
}

function both(props: { resolvers?: IResolver[] } = {}): { plain: Record<string, string>; synth: Record<string, string> } {
  const plain = new App({ outdir: path.join(tmp, 'plain'), yamlOutputType: YamlOutputType.FILE_PER_CHART, ...props });
  define(plain);
  plain.synth();
  synthesize(app => {
    (app as any).resolvers.unshift(...(props.resolvers ?? []));
    define(app);
  }, { outdir: path.join(tmp, 'synth'), validation: SchemaValidation.off('values of kinds without a schema') });
  return { plain: files(path.join(tmp, 'plain')), synth: files(path.join(tmp, 'synth')) };
}

test('writes what App.synth writes for Lazy, implicit tokens, union classes, null and undefined, nested and patched', () => {
  const { plain, synth } = both();
  expect(synth).toEqual(plain);
  expect(Object.values(synth)[0]).toContain('from a plain object');
});

test('without resolvers of the app\'s own, the built-in resolvers are not asked value by value', () => {
  const ask = jest.spyOn(LazyResolver.prototype, 'resolve');
  synthesize(define, { outdir: path.join(tmp, 'synth'), validation: SchemaValidation.off('values of kinds without a schema') });
  expect(ask).not.toHaveBeenCalled();
  const plain = new App({ outdir: path.join(tmp, 'plain') });
  define(plain);
  plain.synth();
  expect(ask).toHaveBeenCalled();
});

test('an app with a resolver of its own is resolved by cdk8s, key by key, as before', () => {
  const keys: string[] = [];
  const upper: IResolver = {
    resolve: (context: ResolutionContext) => {
      keys.push(context.key.join('.'));
      if (context.value === 'web') context.replaceValue('WEB');
    },
  };
  const { plain, synth } = both({ resolvers: [upper] });
  expect(synth).toEqual(plain);
  expect(Object.values(synth)[0]).toContain('app: WEB');
  expect(keys).toContain('spec.template.spec.containers.0.image');
});

test('cdk8s\'s own resolution is back after the synthesis, also after a failed one', () => {
  const module = require('cdk8s/lib/resolve');
  const original = module.resolve;
  expect(() => synthesize(app => {
    new ApiObject(new Chart(app, 'c'), 'bad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { when: new Date(0) as any } });
  }, { outdir: path.join(tmp, 'synth') })).toThrow(/can't render non-simple object of type 'Date'/);
  expect(module.resolve).toBe(original);
});

test('the construction-time checks render the same way (validateRendered), and cdk8s\'s resolution is back after them', () => {
  const module = require('cdk8s/lib/resolve');
  const original = module.resolve;
  const ask = jest.spyOn(LazyResolver.prototype, 'resolve');
  const chart = new Chart(new App(), 'c');
  const server = new Server(chart, 'server', { metadata: { name: 'web', namespace: 'apps' }, podSelector: { app: 'web' }, port: ServerPort.named('http'), proxyProtocol: ProxyProtocol.HTTP1 });
  expect(ask).not.toHaveBeenCalled();
  expect(module.resolve).toBe(original);
  expect(ApiObject.of(server).toJson().spec.podSelector).toStrictEqual({ matchLabels: { app: 'web' } });
  expect(ask).toHaveBeenCalled();
});
