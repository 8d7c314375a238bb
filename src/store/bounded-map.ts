/**
 * Sets `key` in `map` as its newest entry and drops the oldest entries beyond `max`: the bound of
 * the caches the bot keeps in memory (settings read and month totals with SQLite, system prompts'
 * token estimates).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
