import * as mesh from '../../src/mesh';
import * as traffic from '../../src/traffic';

/**
 * The barrels of src/mesh and src/traffic reach only the public API at run time: @internal helpers (rule functions,
 * resolvers) live in files the barrels do not export, because `stripInternal` hides them from the declarations only.
 */
describe('runtime exports of mesh and traffic', () => {
  // functions that are part of the public API
  const PUBLIC_FUNCTIONS = ['allow'];

  test('traffic exports no function but constructs and value classes', () => {
    const functions = Object.entries(traffic).filter(([name, value]) => typeof value === 'function' && /^[a-z]/.test(name)).map(([name]) => name);
    expect(functions).toStrictEqual([]);
  });

  test('mesh exports no helper function but allow', () => {
    const functions = Object.entries(mesh).filter(([name, value]) => typeof value === 'function' && /^[a-z]/.test(name)).map(([name]) => name);
    expect(functions.sort()).toStrictEqual(PUBLIC_FUNCTIONS);
  });
});
