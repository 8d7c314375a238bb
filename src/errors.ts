/** Every reason the bot refuses a request on purpose; each has a message safe to show the user. */
export type UserErrorCode =
  | 'blank_prompt'
  | 'prompt_too_long'
  | 'missing_permission'
  | 'not_operator'
  | 'unknown_model'
  | 'model_unavailable'
  | 'budget_spent'
  | 'budget_too_small'
  | 'guild_only'
  | 'busy'
  | 'upstream_failed'
  | 'restarting'
  | 'bad_input';

/**
 * An expected refusal. Its message is shown to the user privately, as is; anything that is
 * not a `UserError` is logged and replaced by a generic apology.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** What a user sees when something unexpected broke; the details go to the log only. */
export const GENERIC_FAILURE = 'Something went wrong on my side; it has been logged. Please try again later.';

/**
 * {@link GENERIC_FAILURE} with the request's short reference, which is also on the log line, so an
 * operator can find what happened from a member's screenshot.
 */
export function failureMessage(ref: string): string {
  return `Something went wrong on my side; it has been logged as \`${ref}\`. Please try again later.`;
}
