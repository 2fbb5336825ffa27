/**
 * The route table: exact paths in a Map, templated paths (`/orders/{id}`) in a segment trie
 * where a static segment beats a parameter, then prefixes, longest first. A more specific
 * path that does not take the method falls through to the next candidate; when no candidate
 * takes it the answer is 405 with the union of their methods in `Allow` (RFC 9110 §15.5.6).
 */

export interface Routable {
  /** Methods the route takes; null = every method. */
  methods: ReadonlySet<string> | null;
}

interface Slot<R> {
  routes: R[];
}

interface TrieNode<R> {
  statics: Map<string, TrieNode<R>>;
  param: TrieNode<R> | null;
  slot: Slot<R> | null;
}

export type Match<R> =
  | { kind: 'route'; route: R; params: string[] }
  | { kind: 'method_not_allowed'; allow: string }
  | { kind: 'not_found' };

const NOT_FOUND = { kind: 'not_found' } as const;

function node<R>(): TrieNode<R> {
  return { statics: new Map(), param: null, slot: null };
}

function pick<R extends Routable>(routes: R[], method: string): R | undefined {
  for (const r of routes) if (r.methods === null || r.methods.has(method)) return r;
  if (method === 'HEAD') for (const r of routes) if (r.methods!.has('GET')) return r;
  return undefined;
}

export class Router<R extends Routable> {
  #exact = new Map<string, Slot<R>>();
  #trie: TrieNode<R> = node();
  #prefixes: { prefix: string; slot: Slot<R> }[] = [];

  /** Adds a route at a path template (`/a/{id}/b`) or, with `prefix`, for a whole subtree. */
  add(template: string, route: R, prefix = false): void {
    if (prefix) {
      const p = template.length > 1 ? template.replace(/\/$/, '') : template;
      let entry = this.#prefixes.find((e) => e.prefix === p);
      if (!entry) {
        entry = { prefix: p, slot: { routes: [] } };
        this.#prefixes.push(entry);
        this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
      }
      entry.slot.routes.push(route);
      return;
    }
    if (!template.includes('{')) {
      let slot = this.#exact.get(template);
      if (!slot) this.#exact.set(template, (slot = { routes: [] }));
      slot.routes.push(route);
      return;
    }
    let n = this.#trie;
    for (const seg of template.split('/').slice(1)) {
      if (seg.startsWith('{')) n = n.param ??= node();
      else {
        let next = n.statics.get(seg);
        if (!next) n.statics.set(seg, (next = node()));
        n = next;
      }
    }
    (n.slot ??= { routes: [] }).routes.push(route);
  }

  /** Matches a raw (still percent-encoded) path without its query. */
  match(method: string, path: string): Match<R> {
    let allow: Set<string> | null = null;
    const exact = this.#exact.get(path);
    if (exact) {
      const r = pick(exact.routes, method);
      if (r) return { kind: 'route', route: r, params: [] };
      allow = collect(allow, exact.routes);
    }
    const params: string[] = [];
    const slot = this.#trie.statics.size || this.#trie.param ? walk(this.#trie, path, 1, params) : null;
    if (slot) {
      const r = pick(slot.routes, method);
      if (r) return { kind: 'route', route: r, params };
      allow = collect(allow, slot.routes);
    }
    for (const { prefix, slot: ps } of this.#prefixes) {
      if (
        path === prefix ||
        prefix === '/' ||
        (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47)
      ) {
        const r = pick(ps.routes, method);
        if (r) return { kind: 'route', route: r, params: [] };
        allow = collect(allow, ps.routes);
      }
    }
    if (allow === null) return NOT_FOUND;
    if (allow.has('GET')) allow.add('HEAD');
    return { kind: 'method_not_allowed', allow: [...allow].join(', ') };
  }
}

function collect<R extends Routable>(into: Set<string> | null, routes: R[]): Set<string> {
  const out = into ?? new Set<string>();
  for (const r of routes) if (r.methods) for (const m of r.methods) out.add(m);
  return out;
}

/** Depth-first: a static segment first, then the parameter branch (backtracking). */
function walk<R>(n: TrieNode<R>, path: string, start: number, params: string[]): Slot<R> | null {
  if (start > path.length) return n.slot;
  let end = path.indexOf('/', start);
  if (end === -1) end = path.length;
  const seg = path.slice(start, end);
  const next = n.statics.get(seg);
  if (next) {
    const found = walk(next, path, end + 1, params);
    if (found) return found;
  }
  if (n.param && seg.length > 0) {
    params.push(seg);
    const found = walk(n.param, path, end + 1, params);
    if (found) return found;
    params.pop();
  }
  return null;
}
