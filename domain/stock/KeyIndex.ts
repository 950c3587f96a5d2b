/**
 * A string-keyed map for the hundreds of thousands of keys of one bulk import (unit ids, room slots,
 * public codes), split over SHARDS hash tables. V8 grows a Map by rehashing every entry in one step: about
 * 70 ms at 2^17 entries and 130 ms at 2^18, which stalled the host's /health in the middle of a
 * 450,000-row import (issue 10). Shards stay small (cache-resident rehashes) and, keyed by a hash, reach
 * their thresholds at different rows, so the work spreads over many steps. Keys iterate in insertion order,
 * as a Map's do. Pure.
 */

/** Hash tables per index: 450,000 keys make about 1,800 per shard. */
const SHARDS = 256

/** FNV-1a over the last 24 UTF-16 units (where sequential ids differ), reduced to a shard. */
const shardOf = (key: string): number => {
  let h = 0x811c9dc5
  for (let i = Math.max(0, key.length - 24); i < key.length; i++)
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return (h >>> 0) % SHARDS
}

export class KeyIndex<V> {
  private readonly shards: Array<Map<string, V>> = Array.from({ length: SHARDS }, () => new Map())
  private readonly order: Array<string> = []

  /** Distinct keys held. */
  get size(): number {
    return this.order.length
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)]!.get(key)
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)]!.has(key)
  }

  /** Sets `key`; a new key goes to the end of the iteration order, an existing one keeps its place. */
  set(key: string, value: V): this {
    const shard = this.shards[shardOf(key)]!
    if (!shard.has(key)) this.order.push(key)
    shard.set(key, value)
    return this
  }

  /** The keys in insertion order. */
  keys(): IterableIterator<string> {
    return this.order[Symbol.iterator]()
  }
}
