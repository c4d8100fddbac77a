// The simulation's only source of chance: a small seeded generator (sfc32, the Small Fast Counter
// of PractRand, 32-bit), so the same seed gives the same business on any machine. Every decision
// draws from a stream of its own, keyed by what it is about (a borrower, a day, a purpose), so the
// order in which concurrent work finishes never changes what is drawn: the business is a function
// of the seed alone.

/** 32-bit FNV-1a of a text: turns a stream's key into seed words. */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    // Mix the state before the first draw (PractRand's recommendation for sfc32).
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The stream for a key under a seed: `stream(seed, 'borrower', 17, 'day', 40)`. */
  static stream(seed: number, ...key: (string | number)[]): Random {
    const text = key.join('/');
    return new Random(seed, fnv1a(text), fnv1a(text, 0x9e3779b9), fnv1a(`${seed}:${text}`));
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** One of the items, each with its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let at = this.float() * total;
    for (const [item, weight] of items) {
      at -= weight;
      if (at < 0) return item;
    }
    const last = items.at(-1);
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** Normally distributed (Box–Muller), mean 0 and standard deviation 1. */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
