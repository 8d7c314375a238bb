import { UserError } from '../errors.ts';
import { GateRefusal } from '../gate/gate.ts';
import type { MessageCode } from '../i18n/catalogue.ts';
import { UpstreamError, type UpstreamFailureKind } from '../mistral/client.ts';

/** A list of models as members read it: `a`, `b`, `c`. */
export function modelList(models: readonly string[], max = 10): string {
  return models
    .slice(0, max)
    .map((m) => `\`${m}\``)
    .join(', ');
}

const UPSTREAM: Readonly<Record<UpstreamFailureKind, MessageCode>> = {
  rate_limited: 'upstream_rate_limited',
  quota_exhausted: 'upstream_quota_exhausted',
  model_unavailable: 'upstream_model_unavailable',
  server_error: 'upstream_server_error',
  network: 'upstream_network',
  malformed: 'upstream_malformed',
  timed_out: 'upstream_timed_out',
  bad_request: 'upstream_bad_request',
  unknown_model: 'upstream_unknown_model',
  unauthorized: 'upstream_unauthorized',
};

/**
 * What a member is told when the gate refused or upstream failed. Nothing was charged for it.
 * Anything else is returned as it is: unexpected errors are the dispatcher's to log.
 */
export function explainFailure(error: unknown, model: string, usable: readonly string[]): unknown {
  if (error instanceof UserError) return error;
  const others = usable.filter((m) => m !== model);
  const otherModels = others.length > 0 ? modelList(others, 6) : 'none';
  if (error instanceof GateRefusal) {
    const waiting = Number(/\d+/.exec(error.message)?.[0] ?? 0);
    const cause = { cause: error };
    switch (error.reason as string) {
      case 'too_large': {
        const [tokens = 0, perMinute = 0] = (error.message.match(/\d+/g) ?? []).map(Number);
        return new UserError('question_too_large', { tokens, perMinute, model }, cause);
      }
      case 'month_spent':
        return new UserError('model_month_spent', { model, others: otherModels }, cause);
      case 'queue_full':
        return new UserError('busy', { waiting }, cause);
      case 'guild_queue_full':
        return new UserError('guild_busy', { waiting }, cause);
      case 'member_queue_full':
        return new UserError('member_busy', {}, cause);
      case 'expired':
        return new UserError('waited_too_long', {}, cause);
      case 'cancelled':
        return new UserError('stopped_before_start', {}, cause);
      default:
        return new UserError('not_sent_restarting', {}, cause);
    }
  }
  if (error instanceof UpstreamError) {
    return new UserError(UPSTREAM[error.kind], { model, others: otherModels }, { cause: error });
  }
  return error;
}
