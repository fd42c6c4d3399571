import { TRAFFIC_BAD_INPUTS } from './_bad-inputs';

// The same checks as test/bad-inputs/catalogue.test.ts, for the entries this module hands to that catalogue.
describe('the traffic bad inputs', () => {
  const errors = TRAFFIC_BAD_INPUTS.map(c => {
    try {
      c.run();
    } catch (e) {
      return { id: c.id, error: (e as Error).message };
    }
    return { id: c.id, error: 'did not fail' };
  });

  test('each id once', () => {
    expect(new Set(TRAFFIC_BAD_INPUTS.map(c => c.id)).size).toBe(TRAFFIC_BAD_INPUTS.length);
  });

  test.each(errors)('$id fails with one error naming the construct path', ({ error }) => {
    expect(error).toMatch(/\[platform(\/[^\]]*)?\] /);
    const rules = error.replace(/^Validation failed with the following errors:\n {2}/, '').split('\n  [');
    expect(rules).toHaveLength(1);
    expect(error).not.toMatch(/problems:/);
  });
});
