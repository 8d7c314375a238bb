/**
 * The Mistral stand-in, re-exported from its modules in `mistral/` so existing imports keep working.
 * See `mistral/index.ts` for what it models and `mistral/types.ts` for its options and records.
 */
export * from './mistral/index.ts';
