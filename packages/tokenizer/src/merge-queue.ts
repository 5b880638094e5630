/**
 * The agenda of SentencePiece's BPE merge loop: a binary max-heap of candidate merges ordered by
 * score (higher first), ties broken by the left symbol's position (leftmost first) — exactly
 * `SymbolPairComparator` in sentencepiece's `bpe_model.cc`. Entries live in parallel typed arrays
 * reused across calls, so encoding allocates no objects per candidate. Not a general heap.
 */

/** Max-heap of (score, left, right, size) merge candidates. */
export class MergeQueue {
  private scores = new Float64Array(256);
  private lefts = new Int32Array(256);
  private rights = new Int32Array(256);
  private sizes = new Int32Array(256);
  private count = 0;

  /** Number of queued candidates. */
  get size(): number {
    return this.count;
  }

  /** Empties the queue, keeping its buffers. */
  clear(): void {
    this.count = 0;
  }

  /** Adds a candidate. */
  push(score: number, left: number, right: number, size: number): void {
    if (this.count === this.scores.length) this.grow();
    let i = this.count++;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(score, left, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.scores[i] = score;
    this.lefts[i] = left;
    this.rights[i] = right;
    this.sizes[i] = size;
  }

  /** Left symbol of the best candidate. */
  get topLeft(): number {
    return this.lefts[0]!;
  }

  /** Right symbol of the best candidate. */
  get topRight(): number {
    return this.rights[0]!;
  }

  /** Byte/char size the best candidate had when it was queued. */
  get topSize(): number {
    return this.sizes[0]!;
  }

  /** Removes the best candidate. */
  pop(): void {
    const last = --this.count;
    if (last === 0) return;
    const score = this.scores[last]!;
    const left = this.lefts[last]!;
    const right = this.rights[last]!;
    const size = this.sizes[last]!;
    let i = 0;
    // Sift down.
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const child = r < last && this.beforeAt(r, l) ? r : l;
      if (!this.beforeAtValue(child, score, left)) break;
      this.move(child, i);
      i = child;
    }
    this.scores[i] = score;
    this.lefts[i] = left;
    this.rights[i] = right;
    this.sizes[i] = size;
  }

  /** Whether (score, left) comes before the entry at `j`. */
  private before(score: number, left: number, j: number): boolean {
    const s = this.scores[j]!;
    return score > s || (score === s && left < this.lefts[j]!);
  }

  /** Whether entry `i` comes before entry `j`. */
  private beforeAt(i: number, j: number): boolean {
    return this.before(this.scores[i]!, this.lefts[i]!, j);
  }

  /** Whether entry `i` comes before (score, left). */
  private beforeAtValue(i: number, score: number, left: number): boolean {
    const s = this.scores[i]!;
    return s > score || (s === score && this.lefts[i]! < left);
  }

  private move(from: number, to: number): void {
    this.scores[to] = this.scores[from]!;
    this.lefts[to] = this.lefts[from]!;
    this.rights[to] = this.rights[from]!;
    this.sizes[to] = this.sizes[from]!;
  }

  private grow(): void {
    const n = this.scores.length * 2;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.scores = grow(this.scores, (k) => new Float64Array(k));
    this.lefts = grow(this.lefts, (k) => new Int32Array(k));
    this.rights = grow(this.rights, (k) => new Int32Array(k));
    this.sizes = grow(this.sizes, (k) => new Int32Array(k));
  }
}
