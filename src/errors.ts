import { t, type MessageCode, type MessageParams } from './i18n/catalogue.ts';

/**
 * An expected refusal: the bot will not do what was asked, and says why. `code` names the text in
 * the catalogue (src/i18n) and is also the metric label and the log's `code`; `params` fill it in
 * for the member's language at the edge. `message` is the English text, for logs and tests.
 * Anything thrown that is not a `UserError` is logged and replaced by a generic apology.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly code: MessageCode;
  readonly params: MessageParams;
  constructor(code: MessageCode, params: MessageParams = {}, options?: ErrorOptions) {
    super(t('en', code, params), options);
    this.code = code;
    this.params = params;
  }

  /** The refusal in a member's language (a Discord locale). */
  render(locale: string | null | undefined): string {
    const text = t(locale, this.code, this.params);
    // Upstream failures are worth an operator's look: they carry the request's reference.
    return this.ref ? t(locale, 'with_ref', { text, ref: this.ref }) : text;
  }

  /** Set by the door that caught it, for refusals an operator may want to trace. */
  ref: string | undefined;
}

/** The apology for something unexpected, with the reference that is also on its log line. */
export function failureMessage(locale: string | null | undefined, ref: string): string {
  return t(locale, 'failed', { ref });
}
