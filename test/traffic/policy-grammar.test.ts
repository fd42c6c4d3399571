import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { isHttpRetryCondition, trafficAnnotationProblems } from '../../src/traffic/_annotations';
import { formatPolicyDuration, formatRouteTimeout, parseFloatValue, parsePolicyDuration, parseU16, parseU32, routeTimeoutProblem, wholeMillis } from '../../src/traffic/_policy-grammar';

describe('the policy controller\'s duration grammar (<u64><ms|s|m|h|d>, not Go\'s)', () => {
  test.each([
    ['0', 0n], ['0s', 0n], ['250ms', 250n], ['10s', 10_000n], ['2m', 120_000n], ['1h', 3_600_000n], ['1d', 86_400_000n], [' 5s ', 5_000n], ['+5s', 5_000n],
  ])('reads %p as %p ms', (text, ms) => {
    expect(parsePolicyDuration(text)).toStrictEqual({ value: ms });
  });

  test.each([
    ['1.5s', 'fractional values not supported'],
    ['-1s', 'duration value cannot be negative: \'-1s\''],
    ['5', 'missing duration unit; did you mean \'5s\' or \'5ms\'?'],
    ['5us', 'invalid duration unit us (expected one of \'ms\', \'s\', \'m\', \'h\', or \'d\')'],
    ['1m30s', '"1m30" is not a u64 (digits only)'],
    ['s', 's does not contain a timeout duration value'],
    ['18446744073709551615d', 'Timeout value 18446744073709551615d overflows when converted to \'ms\''],
  ])('fails %p with the controller\'s message', (text, error) => {
    expect(parsePolicyDuration(text)).toStrictEqual({ error });
  });

  test('renders in the largest unit that divides the value, and reads back what it renders (property)', () => {
    expect([1_000n, 90_000n, 120_000n, 86_400_000n, 1_500n, 0n].map(formatPolicyDuration)).toStrictEqual(['1s', '90s', '2m', '1d', '1500ms', '0s']);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), ms => parsePolicyDuration(formatPolicyDuration(ms)).value === ms));
  });

  // linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:188 reads a rule's timeouts.request with
  // parse_duration (…/outbound/index.rs:2322) and drops what it cannot parse; gateway-api@v1.2.1:apis/v1/shared_types.go:764
  // allows at most five digits per term and no d unit
  test('HTTPRoute rule timeouts are one term of up to five digits in h, m, s or ms, which both the CRD and Linkerd read (property)', () => {
    expect([5_000n, 90_000n, 90_500n, 3_600_000n * 25n, 86_400_000n, 99_999n].map(formatRouteTimeout)).toStrictEqual(['5s', '90s', '90500ms', '25h', '24h', '99999ms']);
    expect([0n, 100_001n, 3_600_000n * 100_000n].map(formatRouteTimeout)).toStrictEqual([undefined, undefined, undefined]);
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), ms => {
      const text = formatRouteTimeout(ms);
      return text === undefined || (routeTimeoutProblem(text) === undefined && parsePolicyDuration(text).value === ms);
    }));
  });

  test('a multi-term timeout passes the CRD but Linkerd drops it; a day unit fails the CRD', () => {
    expect(routeTimeoutProblem('1s500ms')).toMatch(/^Linkerd's policy controller reads it with its single-unit grammar <integer><ms\|s\|m\|h\|d>, fails \(.*\) and silently drops it, so the rule has no timeout$/);
    expect(routeTimeoutProblem('1d')).toBe('the Gateway API CRD takes ([0-9]{1,5}(h|m|s|ms)){1,4}');
    expect(routeTimeoutProblem('1500ms')).toBeUndefined();
  });

  test('Durations must be whole milliseconds', () => {
    expect(wholeMillis(Duration.seconds(1.5))).toBe(1_500n);
    expect(wholeMillis(Duration.millis(0.5))).toBeUndefined();
  });

  test('integers and floats as Rust parses them', () => {
    expect(parseU32(' 7 ')).toStrictEqual({ value: 7n });
    expect(parseU32('-1').error).toBe('"-1" is not a u32 (digits only)');
    expect(parseU32('4294967296').error).toBe('"4294967296" is out of range for u32 (at most 4294967295)');
    expect(parseU16(' 2').error).toBe('" 2" is not a u16 (digits only)');
    expect(parseFloatValue('1e-1').value).toBe(0.1);
    expect(parseFloatValue('inf').value).toBe(Infinity);
    expect(parseFloatValue('0,5').error).toBe('"0,5" is not a number');
  });
});

describe('the policy controller\'s annotation checks', () => {
  test('HTTP retry conditions: 5xx, gateway-error (any case), NNN, NNN-MMM within 100–599', () => {
    expect(['5xx', '5XX', 'gateway-error', '429', '500-504', '100-599'].every(isHttpRetryCondition)).toBe(true);
    expect(['4xx', ' 500', '600', '99', '504-500', '500-', 'x-y'].some(isHttpRetryCondition)).toBe(false);
  });

  test('accept what Linkerd\'s docs show', () => {
    expect(trafficAnnotationProblems({
      'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '2', 'retry.linkerd.io/timeout': '300ms', 'timeout.linkerd.io/request': '10s',
    }, 'HTTPRoute')).toStrictEqual([]);
    expect(trafficAnnotationProblems({
      'balancer.linkerd.io/failure-accrual': 'unified',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-threshold': '0.9',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-window': '30s',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-min-requests': '100',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '8',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '10s',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '10m',
      'balancer.linkerd.io/failure-accrual-consecutive-jitter-ratio': '1.0',
    }, 'Service')).toStrictEqual([]);
  });

  test('fails each value the controller rejects, naming the key, the value and what is allowed', () => {
    expect(trafficAnnotationProblems({
      'balancer.linkerd.io/failure-accrual': 'sometimes',
      'retry.linkerd.io/http': '5xx, 429',
      'retry.linkerd.io/grpc': 'unavailable',
      'retry.linkerd.io/limit': '0x2',
      'timeout.linkerd.io/request': '1.5s',
      'timeout.linkerd.io/total': '1s',
    }, 'HTTPRoute')).toStrictEqual([
      'annotation balancer.linkerd.io/failure-accrual has no effect on an HTTPRoute: failure accrual and load balancing are read from the Service only',
      'annotation retry.linkerd.io/grpc is not valid on an HTTPRoute: use retry.linkerd.io/http',
      'annotation balancer.linkerd.io/failure-accrual: "sometimes" is rejected by the policy controller (unsupported failure accrual mode: sometimes); use consecutive or unified',
      'annotation retry.linkerd.io/limit: "0x2" is rejected by the policy controller ("0x2" is not a u16 (digits only)); use a whole number from 1 to 65535',
      'annotation retry.linkerd.io/http: "5xx, 429" is rejected by the policy controller (invalid retry condition:  429); use a comma-separated list (no spaces) of 5xx, gateway-error, NNN or NNN-MMM with codes 100-599',
      'annotation timeout.linkerd.io/request: "1.5s" is rejected by the policy controller (fractional values not supported); use <integer><ms|s|m|h|d>, e.g. 500ms or 10s',
      'annotation timeout.linkerd.io/total is not one Linkerd reads: use timeout.linkerd.io/request, response or idle',
    ]);
  });

  test('fails the failure-accrual checks of parse_consecutive_params and parse_success_rate_params', () => {
    expect(trafficAnnotationProblems({
      'balancer.linkerd.io/failure-accrual': 'unified',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '2m',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '0',
      'balancer.linkerd.io/failure-accrual-consecutive-jitter-ratio': '101',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-threshold': '1.5',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-min-requests': '-1',
    }, 'Service')).toStrictEqual([
      'annotation balancer.linkerd.io/failure-accrual-consecutive-max-penalty: "0" is rejected by the policy controller (max_penalty cannot be zero); use a duration greater than zero',
      'annotations balancer.linkerd.io/failure-accrual-consecutive-min-penalty (120000ms) cannot exceed max-penalty (0ms)',
      'annotation balancer.linkerd.io/failure-accrual-consecutive-jitter-ratio: "101" is rejected by the policy controller (jitter cannot be greater than 100); use a number from 0 to 100',
      'annotation balancer.alpha.linkerd.io/failure-accrual-success-rate-threshold: "1.5" is rejected by the policy controller (success-rate threshold must be between 0.0 and 1.0, got 1.5); use a number from 0.0 to 1.0',
      'annotation balancer.alpha.linkerd.io/failure-accrual-success-rate-min-requests: "-1" is rejected by the policy controller ("-1" is not a u32 (digits only)); use a whole number',
    ]);
  });

  // linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:236 (honor-retry-after), :2262-2284
  // (penalize-failures, load-biaser-penalty ≤ u32::MAX ms, load-biaser-max-retry-after), :2294 (Go ParseBool spellings)
  test('2.20\'s balancer.alpha.linkerd.io booleans take Go ParseBool spellings; the load biaser\'s durations are read only when it is on', () => {
    expect(trafficAnnotationProblems({
      'balancer.alpha.linkerd.io/failure-accrual-honor-retry-after': ' True ',
      'balancer.alpha.linkerd.io/penalize-failures': 't',
      'balancer.alpha.linkerd.io/load-biaser-penalty': '30s',
      'balancer.alpha.linkerd.io/load-biaser-max-retry-after': '1m',
    }, 'Service')).toStrictEqual([]);
    expect(trafficAnnotationProblems({ 'balancer.alpha.linkerd.io/penalize-failures': 'false', 'balancer.alpha.linkerd.io/load-biaser-penalty': '1.5s' }, 'Service'))
      .toStrictEqual([]);
    expect(trafficAnnotationProblems({
      'balancer.alpha.linkerd.io/failure-accrual-honor-retry-after': 'yes',
      'balancer.alpha.linkerd.io/penalize-failures': '1',
      'balancer.alpha.linkerd.io/load-biaser-penalty': '50d',
      'balancer.alpha.linkerd.io/load-biaser-max-retry-after': '5',
    }, 'Service')).toStrictEqual([
      'annotation balancer.alpha.linkerd.io/failure-accrual-honor-retry-after: "yes" is rejected by the policy controller (unsupported balancer.alpha.linkerd.io/failure-accrual-honor-retry-after value: \'yes\' (expected a boolean such as \'true\' or \'false\')); use true or false',
      'annotation balancer.alpha.linkerd.io/load-biaser-penalty: "50d" is rejected by the policy controller (load-biaser-penalty exceeds the maximum supported value (~49.7 days)); use at most 4294967295ms',
      'annotation balancer.alpha.linkerd.io/load-biaser-max-retry-after: "5" is rejected by the policy controller (missing duration unit; did you mean \'5s\' or \'5ms\'?); use <integer><ms|s|m|h|d>, e.g. 500ms or 10s',
    ]);
    expect(trafficAnnotationProblems({ 'balancer.alpha.linkerd.io/penalize-failures': 'true' }, 'HTTPRoute'))
      .toStrictEqual(['annotation balancer.alpha.linkerd.io/penalize-failures has no effect on an HTTPRoute: failure accrual and load balancing are read from the Service only']);
  });

  test('retry.linkerd.io/http is not valid on a GRPCRoute', () => {
    expect(trafficAnnotationProblems({ 'retry.linkerd.io/http': '5xx' }, 'GRPCRoute'))
      .toStrictEqual(['annotation retry.linkerd.io/http is not valid on a GRPCRoute: use retry.linkerd.io/grpc']);
  });
});
