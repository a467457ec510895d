/**
 * libsvm's kernel cache: float32 columns (libsvm's Qfloat) kept in least-recently used order
 * under a byte budget. A column may be cached for a prefix [0, len) only; asking for more fills
 * the rest.
 */
export class KernelCache {
  private readonly data: (Float32Array | null)[];
  private readonly len: Int32Array;
  /** A circular doubly linked LRU list over column indices; slot `l` is the list head. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly head: number;
  /** Floats still free under the budget. */
  private free: number;

  constructor(l: number, bytes: number) {
    this.data = new Array<Float32Array | null>(l).fill(null);
    this.len = new Int32Array(l);
    this.prev = new Int32Array(l + 1).fill(-1);
    this.next = new Int32Array(l + 1).fill(-1);
    this.head = l;
    this.prev[l] = l;
    this.next[l] = l;
    // At least two whole columns: the solver holds Q_i and Q_j at once.
    this.free = Math.max(Math.floor(bytes / 4), 2 * l);
  }

  private unlink(h: number): void {
    this.next[this.prev[h]] = this.next[h];
    this.prev[this.next[h]] = this.prev[h];
  }

  private append(h: number): void {
    const last = this.prev[this.head];
    this.next[h] = this.head;
    this.prev[h] = last;
    this.next[last] = h;
    this.prev[this.head] = h;
  }

  /**
   * Column `index` with room for `len` entries, and the first position that still needs filling
   * (`len` when the whole prefix was cached).
   */
  get(index: number, len: number): { column: Float32Array; start: number } {
    const had = this.len[index];
    if (had > 0) this.unlink(index);
    let column = this.data[index];
    let start = had;
    const more = len - had;
    if (more > 0) {
      while (this.free < more) {
        const old = this.next[this.head];
        this.unlink(old);
        this.free += this.len[old];
        this.data[old] = null;
        this.len[old] = 0;
      }
      const grown = new Float32Array(len);
      if (column) grown.set(column.subarray(0, had));
      column = grown;
      this.data[index] = column;
      this.free -= more;
      this.len[index] = len;
    } else {
      start = len;
    }
    this.append(index);
    return { column: column!, start };
  }
}
