import { parseGoDuration } from '../_internal/duration';
import { dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { re2Problem } from './_regex';

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_FIELDS = ['all', 'any', 'method', 'not', 'pathRegex'];
const RESPONSE_FIELDS = ['all', 'any', 'not', 'status'];
const ROUTE_FIELDS = ['name', 'condition', 'responseClasses', 'isRetryable', 'timeout'];

/**
 * The sp-validator webhook's rules (`pkg/profiles/profiles.go Validate`), plus the proxy's silent drops (regexes that
 * do not compile, status ranges without both bounds), applied to the rendered object.
 *
 * @internal
 */
export function serviceProfileProblems(obj: any): string[] {
  const problems = new Problems();
  const name = obj?.metadata?.name;
  if (typeof name === 'string') {
    const p = dns1123SubdomainProblem('name', name);
    problems.add(p);
  }
  const spec = obj?.spec ?? {};
  for (const field of ['opaquePorts', 'dstOverrides']) {
    if (spec[field] !== undefined) problems.add(`spec.${field} must not be set: it is filled in by Linkerd's controllers, and ServiceProfile ${field} is not meant for users`);
  }
  for (const field of Object.keys(spec).filter(f => !['routes', 'retryBudget', 'opaquePorts', 'dstOverrides'].includes(f))) {
    problems.add(`spec.${field} is an unknown field, which the sp-validator rejects: use routes and retryBudget`);
  }
  (Array.isArray(spec.routes) ? spec.routes : []).forEach((route: any, i: number) => {
    problems.addAll(routeProblems(route, typeof route?.name === 'string' && route.name !== '' ? `route ${JSON.stringify(route.name)}` : `routes[${i}]`));
  });
  if (spec.retryBudget !== undefined) problems.addAll(retryBudgetProblems(spec.retryBudget));
  return [...problems.list];
}

/** @internal */
export function routeProblems(route: any, label: string): string[] {
  if (route === null || typeof route !== 'object') return [`${label} is null: every route must be an object with a name and a condition`];
  const problems = new Problems();
  for (const field of Object.keys(route).filter(f => !ROUTE_FIELDS.includes(f))) {
    problems.add(`${label} has the unknown field ${JSON.stringify(field)}, which the sp-validator rejects: use ${ROUTE_FIELDS.join(', ')}`);
  }
  if (typeof route.name !== 'string' || route.name === '') problems.add(`${label} has no name: every route needs a name (its metrics label)`);
  if (route.timeout !== undefined) {
    const nanos = typeof route.timeout === 'string' ? parseGoDuration(route.timeout) : undefined;
    if (nanos === undefined || nanos <= 0n) {
      problems.add(`${label} timeout ${JSON.stringify(route.timeout)} must be a positive Go duration such as 500ms, 10s or 1m30s`);
    }
  }
  if (route.condition === undefined || route.condition === null) {
    problems.add(`${label} has no condition: every route needs one (method, pathRegex, all, any)`);
  } else {
    if (route.condition.not !== undefined) {
      problems.add(`${label} condition has a top-level not, which Linkerd cannot accept (the CRD wants an array, the sp-validator an object): nest it in all, e.g. all: [{ not: … }]`);
    }
    problems.addAll(requestMatchProblems(route.condition, `${label} condition`));
  }
  if (route.responseClasses !== undefined && !Array.isArray(route.responseClasses)) problems.add(`${label} responseClasses must be a list`);
  (Array.isArray(route.responseClasses) ? route.responseClasses : []).forEach((rc: any, i: number) => {
    const where = `${label} responseClasses[${i}]`;
    if (rc === null || typeof rc !== 'object' || rc.condition === undefined || rc.condition === null) {
      problems.add(`${where} has no condition: every response class needs one (status, all, any, not)`);
    } else {
      problems.addAll(responseMatchProblems(rc.condition, `${where} condition`));
    }
  });
  return [...problems.list];
}

function requestMatchProblems(match: any, where: string): string[] {
  if (match === null || typeof match !== 'object' || Array.isArray(match)) return [`${where} must be an object, got ${JSON.stringify(match)}`];
  const problems = new Problems();
  const fields = Object.keys(match);
  const unknown = fields.filter(f => !REQUEST_FIELDS.includes(f));
  for (const field of unknown) problems.add(`${where} has the unknown field ${JSON.stringify(field)}: use ${REQUEST_FIELDS.join(', ')}`);
  if (unknown.length === 0 && !fields.some(f => REQUEST_FIELDS.includes(f) && match[f] !== '' && match[f] !== undefined)) {
    problems.add(`${where} is empty: a request match must have a field set (method, pathRegex, all, any or not)`);
  }
  if (match.method !== undefined && (typeof match.method !== 'string' || !HTTP_TOKEN.test(match.method))) {
    problems.add(`${where} method ${JSON.stringify(match.method)} is not an HTTP method token, e.g. GET`);
  }
  if (match.pathRegex !== undefined) {
    const invalid = typeof match.pathRegex !== 'string' ? 'it is not a string' : re2Problem(match.pathRegex);
    if (invalid) {
      problems.add(`${where} pathRegex ${JSON.stringify(match.pathRegex)} is not valid RE2/Rust regex syntax (${invalid}): `
        + 'the proxy silently drops a match whose regex does not compile; lookaround and backreferences are not supported');
    }
  }
  for (const op of ['all', 'any'] as const) {
    if (match[op] === undefined) continue;
    if (!Array.isArray(match[op]) || match[op].length === 0) {
      problems.add(`${where} ${op} must be a non-empty list of request matches, got ${JSON.stringify(match[op])}`);
      continue;
    }
    match[op].forEach((child: any, i: number) => problems.addAll(requestMatchProblems(child, `${where} ${op}[${i}]`)));
  }
  if (match.not !== undefined && !Array.isArray(match.not)) problems.addAll(requestMatchProblems(match.not, `${where} not`));
  return [...problems.list];
}

function responseMatchProblems(match: any, where: string): string[] {
  if (match === null || typeof match !== 'object' || Array.isArray(match)) return [`${where} must be an object, got ${JSON.stringify(match)}`];
  const problems = new Problems();
  const fields = Object.keys(match);
  const unknown = fields.filter(f => !RESPONSE_FIELDS.includes(f));
  for (const field of unknown) problems.add(`${where} has the unknown field ${JSON.stringify(field)}: use ${RESPONSE_FIELDS.join(', ')}`);
  if (unknown.length === 0 && !fields.some(f => RESPONSE_FIELDS.includes(f) && match[f] !== undefined)) {
    problems.add(`${where} is empty: a response match must have a field set (status, all, any or not)`);
  }
  if (match.status !== undefined) {
    const { min, max } = match.status ?? {};
    const range = JSON.stringify(match.status);
    const isCode = (v: unknown) => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 599;
    if (min === undefined || max === undefined || min === 0 || max === 0) {
      problems.add(`${where} status ${range} must set both min and max (use min = max for one code): the proxy drops a range with a missing bound`);
    } else if (!isCode(min) || !isCode(max)) {
      problems.add(`${where} status ${range}: min and max must be HTTP status codes between 100 and 599, inclusive`);
    } else if (max < min) {
      problems.add(`${where} status ${range}: the range maximum cannot be smaller than the minimum`);
    }
  }
  for (const op of ['all', 'any'] as const) {
    if (match[op] === undefined) continue;
    if (!Array.isArray(match[op]) || match[op].length === 0) {
      problems.add(`${where} ${op} must be a non-empty list of response matches, got ${JSON.stringify(match[op])}`);
      continue;
    }
    match[op].forEach((child: any, i: number) => problems.addAll(responseMatchProblems(child, `${where} ${op}[${i}]`)));
  }
  if (match.not !== undefined) problems.addAll(responseMatchProblems(match.not, `${where} not`));
  return [...problems.list];
}

function retryBudgetProblems(budget: any): string[] {
  const problems = new Problems();
  if (budget === null || typeof budget !== 'object') return [`retryBudget must be an object with retryRatio, minRetriesPerSecond and ttl`];
  if (typeof budget.retryRatio !== 'number' || !(budget.retryRatio >= 0)) {
    problems.add(`retryBudget.retryRatio ${JSON.stringify(budget.retryRatio)} must be a number of at least 0 (0.2 = at most 20% extra requests)`);
  }
  if (!Number.isInteger(budget.minRetriesPerSecond) || budget.minRetriesPerSecond < 0 || budget.minRetriesPerSecond > 2_147_483_647) {
    problems.add(`retryBudget.minRetriesPerSecond ${JSON.stringify(budget.minRetriesPerSecond)} must be a whole number from 0 to 2147483647`);
  }
  if (budget.ttl === undefined || budget.ttl === '') {
    problems.add('retryBudget.ttl is missing: the sp-validator requires it (Linkerd\'s default is 10s)');
  } else {
    const nanos = typeof budget.ttl === 'string' ? parseGoDuration(budget.ttl) : undefined;
    if (nanos === undefined || nanos <= 0n) problems.add(`retryBudget.ttl ${JSON.stringify(budget.ttl)} must be a positive Go duration such as 10s`);
  }
  return [...problems.list];
}
