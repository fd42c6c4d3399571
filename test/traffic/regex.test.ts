import * as fc from 'fast-check';
import { RE2JS } from 're2js';
import {
  anchorLikeProxy, hasTopLevelAlternation, literalOf, literalPrefix, pathToRegex, prefixWildcardOf, proxyMatches, quoteMeta, re2Problem,
} from '../../src/traffic/_regex';

describe('regex helpers', () => {
  test('quoteMeta escapes exactly Go\'s set, and the escaped text matches itself literally (property)', () => {
    expect(quoteMeta('a.b+c*d?e(f)g|h[i]j{k}l^m$n\\o/p-q')).toBe('a\\.b\\+c\\*d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o/p-q');
    fc.assert(fc.property(fc.string(), s => RE2JS.compile(`^${quoteMeta(s)}$`).matches(s) && literalOf(quoteMeta(s)) === s));
  });

  test('pathToRegex turns {param} into [^/]*, as linkerd profile does', () => {
    expect(pathToRegex('/books/{id}.json')).toBe('/books/[^/]*\\.json');
    expect(pathToRegex('/a/{b}{c}/d')).toBe('/a/[^/]*[^/]*/d');
    expect(proxyMatches(pathToRegex('/books/{id}'), '/books/42')).toBe(true);
    expect(proxyMatches(pathToRegex('/books/{id}'), '/books/42/edit')).toBe(false);
  });

  test('pathToRegex is the regex replacement linkerd profile does (RE2, leftmost-first), for any path', () => {
    const regexVersion = (p: string) => quoteMeta(p).replace(/\\\{[^}]*\\\}/g, '[^/]*');
    fc.assert(fc.property(fc.array(fc.constantFrom('{', '}', '\\', '/', 'a', '.', '{id}'), { maxLength: 30 }).map(a => a.join('')), p => pathToRegex(p) === regexVersion(p)));
    expect(pathToRegex('/a/{{b}/{c')).toBe('/a/[^/]*/\\{c');
  });

  test('pathToRegex is linear: 10^5 unclosed { (quadratic with the regex: 27 s) take well under a second', () => {
    const start = process.hrtime.bigint();
    expect(pathToRegex(`/${'{'.repeat(100_000)}`)).toBe(`/${'\\{'.repeat(100_000)}`);
    expect(pathToRegex(`/${'{a'.repeat(50_000)}}`)).toBe('/[^/]*');
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(1000);
  });

  test('the proxy anchors what is not anchored, and a top-level | splits the anchors', () => {
    expect(anchorLikeProxy(' /books ')).toBe('^/books$');
    expect(anchorLikeProxy('^/books$')).toBe('^/books$');
    expect(proxyMatches('/a|/b', '/a/x/b')).toBe(true);
    expect(hasTopLevelAlternation('/(a|b)|c')).toBe(true);
    expect(hasTopLevelAlternation('/(a|b)[|]\\|')).toBe(false);
  });

  test('literal prefixes drop a quantified last character; prefix wildcards are a literal then .*', () => {
    expect(literalPrefix('/books/[^/]*')).toBe('/books/');
    expect(literalPrefix('/books?x')).toBe('/book');
    expect(literalPrefix('/a|/b')).toBe('');
    expect(literalPrefix('^/v1\\.0/x')).toBe('/v1.0/x');
    expect(prefixWildcardOf('/api/.*')).toBe('/api/');
    expect(prefixWildcardOf('/api/\\.*')).toBeUndefined();
    expect(literalOf('/books/\\d')).toBeUndefined();
  });

  test('re2Problem rejects what RE2 and Rust reject, including a regex that only the proxy\'s anchoring would make valid', () => {
    expect(re2Problem('/books/[0-9]+')).toBeUndefined();
    expect(re2Problem('(?<=a)b')).toMatch(/invalid named capture/);
    expect(re2Problem('/books\\')).toMatch(/trailing backslash/);
  });
});
