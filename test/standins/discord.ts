/**
 * The Discord stand-in, re-exported from its modules in `discord/` so existing imports keep working.
 * See `discord/index.ts` for what it models and `discord/types.ts` for its API.
 */
export * from './discord/index.ts';
