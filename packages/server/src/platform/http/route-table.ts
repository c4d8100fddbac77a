import type { HttpMethod } from './route.ts';

// The set of (method, path pattern) pairs the server answers, used to tell 405 from 404: a path
// that exists under another method is "method not allowed", with an Allow header.

type Entry = { pattern: RegExp; methods: Set<string> };

function compile(url: string): RegExp {
  const parts = url.split('/').map((segment) => {
    if (segment.startsWith(':')) return '[^/]+';
    if (segment === '*') return '.*';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}/?$`);
}

export class RouteTable {
  readonly #entries = new Map<string, Entry>();

  add(method: HttpMethod | 'HEAD' | 'OPTIONS' | string, url: string): void {
    const entry = this.#entries.get(url) ?? { pattern: compile(url), methods: new Set<string>() };
    entry.methods.add(method);
    this.#entries.set(url, entry);
  }

  /** Methods served at a concrete path (empty when the path is unknown). */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.#entries.values()) {
      if (entry.pattern.test(path)) for (const method of entry.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}
