/**
 * Interaction responses: the callback (reply, defer, deferred update, update, autocomplete result,
 * modal) within 3 s, once, with the types each kind of interaction allows; and the interaction webhook
 * (edit, fetch and delete the original or a follow-up, post follow-ups) for 15 minutes after dispatch.
 */
import { choiceIssues, modalIssues } from '../checks.ts';
import { announce, createMessage, editMessage, loadingMessage } from '../messages.ts';
import { messageJson } from '../render.ts';
import type { Handler, RequestContext, Route } from '../rest.ts';
import { route } from '../rest.ts';
import { checkWaiters, violate } from '../state.ts';
import type { InteractionState, MessageState, World } from '../state.ts';
import {
  ACK_DEADLINE_MS,
  FLAG_EPHEMERAL,
  FLAG_LOADING,
  TOKEN_LIFETIME_MS,
  apiError,
  asArray,
  asNumber,
  asString,
  describeIssues,
  fail,
  invalidForm,
  isObj,
} from '../util.ts';
import type { Obj } from '../util.ts';

/** Callback types each kind of interaction may answer with. */
function allowedCallbacks(state: InteractionState): readonly number[] {
  switch (state.kind) {
    case 'autocomplete':
      return [8];
    case 'component':
      return [4, 5, 6, 7, 9];
    case 'modal-submit':
      return state.sourceMessage ? [4, 5, 6, 7] : [4, 5];
    default:
      return [4, 5, 9];
  }
}

/** Message type of a response: 20 chat input, 23 context menu, 0 for component and modal answers. */
function responseMessageType(state: InteractionState): number {
  if (state.kind === 'command') return 20;
  if (state.kind === 'message-command' || state.kind === 'user-command') return 23;
  return 0;
}

/** The interaction callback and interaction webhook routes. */
export function interactionRoutes(world: World): Route[] {
  const bodyObj = (ctx: RequestContext): Obj => (isObj(ctx.body) ? ctx.body : {});

  const callback: Handler = (ctx, p) => {
    const state = world.interactions.get(p.id ?? '');
    const where = `POST /interactions/${p.id}/…/callback`;
    if (!state || state.token !== p.token) {
      violate(world, `${where}: unknown interaction id or token → 404 10062`);
      return apiError(404, 10062, 'Unknown interaction');
    }
    const at = `${where} (interaction ${state.id}, ${state.label})`;
    if (state.responseType !== undefined) {
      violate(world, `${at}: second callback for an acknowledged interaction → 400 40060`);
      return apiError(400, 40060, 'Interaction has already been acknowledged.');
    }
    const elapsed = world.clock() - state.dispatchedAt;
    if (elapsed > ACK_DEADLINE_MS) {
      violate(
        world,
        `${at}: callback ${elapsed} ms after dispatch (limit ${ACK_DEADLINE_MS} ms) → 404 10062`,
      );
      return apiError(404, 10062, 'Unknown interaction');
    }
    const body = bodyObj(ctx);
    const type = asNumber(body.type);
    const data = isObj(body.data) ? body.data : {};
    if (type === undefined || !allowedCallbacks(state).includes(type)) {
      violate(
        world,
        `${at}: callback type ${String(type)} is not valid for a ${state.kind} interaction → 400 50035`,
      );
      return invalidForm([
        { path: 'type', code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid response type' },
      ]);
    }
    if (type === 4) {
      state.original = createMessage(world, {
        body: data,
        files: ctx.files,
        channelId: state.channelId,
        type: responseMessageType(state),
        interaction: state,
        where: at,
        issuePrefix: 'data.',
      });
      state.ephemeral = (state.original.flags & FLAG_EPHEMERAL) !== 0;
      announce(world, state.original);
    } else if (type === 5) {
      state.ephemeral = ((asNumber(data.flags) ?? 0) & FLAG_EPHEMERAL) !== 0;
      state.deferred = true;
      state.original = loadingMessage(world, state, state.ephemeral, FLAG_EPHEMERAL);
      announce(world, state.original);
    } else if (type === 6 || type === 7) {
      const source = state.sourceMessage;
      if (!source || source.deleted) return apiError(404, 10008, 'Unknown Message');
      const previous = state.original;
      // Set first so the update is recorded as an edit of this interaction's original.
      state.original = source;
      try {
        if (type === 7)
          editMessage(world, source, data, ctx.files, `${at} (update of message ${source.id})`, state, false);
      } catch (error) {
        state.original = previous;
        throw error;
      }
      state.deferred = type === 6;
      state.ephemeral = (source.flags & FLAG_EPHEMERAL) !== 0;
    } else if (type === 8) {
      const issues = choiceIssues(data.choices);
      if (issues.length > 0) {
        violate(world, `${at}: ${describeIssues(issues)} → 400 50035`);
        return invalidForm(issues);
      }
      state.choices = (asArray(data.choices) ?? []).filter(isObj).map((c) => ({
        name: asString(c.name) ?? '',
        value: typeof c.value === 'number' ? c.value : (asString(c.value) ?? ''),
      }));
    } else if (type === 9) {
      const issues = modalIssues(data);
      if (issues.length > 0) {
        violate(world, `${at}: ${describeIssues(issues)} → 400 50035`);
        return invalidForm(issues);
      }
      state.modal = {
        customId: asString(data.custom_id) ?? '',
        title: asString(data.title) ?? '',
        components: structuredClone(asArray(data.components) ?? []),
      };
    }
    state.responseType = type;
    state.ackAt = elapsed;
    checkWaiters(world);
    if (ctx.query.get('with_response') !== 'true') return { status: 204 };
    const original = state.original;
    return {
      status: 200,
      body: {
        interaction: {
          id: state.id,
          type: state.type,
          activity_instance_id: null,
          response_message_id: original?.id ?? null,
          response_message_loading: type === 5,
          response_message_ephemeral: state.ephemeral,
        },
        resource: {
          type,
          ...(original && type !== 6 && type !== 8 && type !== 9
            ? { message: messageJson(world, original) }
            : {}),
        },
      },
    };
  };

  /** Finds the interaction behind a webhook route and enforces token lifetime and acknowledgement. */
  const webhookInteraction = (ctx: RequestContext, p: Readonly<Record<string, string>>): InteractionState => {
    const state = world.interactionsByToken.get(p.token ?? '');
    const where = `${ctx.method} ${ctx.path.replace(p.token ?? '', '…')}`;
    if (p.app !== world.applicationId || !state) {
      violate(world, `${where}: unknown application id or interaction token → 401 50027`);
      fail(apiError(401, 50027, 'Invalid Webhook Token'));
    }
    const at = `${where} (interaction ${state.id}, ${state.label})`;
    const age = world.clock() - state.dispatchedAt;
    if (age > TOKEN_LIFETIME_MS) {
      violate(
        world,
        `${at}: interaction token used ${Math.round(age / 1000)} s after dispatch (lifetime 15 min) → 401 50027`,
      );
      fail(apiError(401, 50027, 'Invalid Webhook Token'));
    }
    if (state.kind === 'autocomplete' || state.responseType === undefined || state.responseType === 9) {
      violate(
        world,
        `${at}: webhook used before the interaction was acknowledged with a message → 404 10015`,
      );
      fail(apiError(404, 10015, 'Unknown Webhook'));
    }
    return state;
  };

  const webhookMessage = (state: InteractionState, ref: string): MessageState => {
    const message =
      ref === '@original'
        ? state.original
        : [state.original, ...state.followUps].find((m) => m !== undefined && m.id === ref);
    if (!message || message.deleted) fail(apiError(404, 10008, 'Unknown Message'));
    return message;
  };

  const whereOf = (ctx: RequestContext, state: InteractionState): string =>
    `${ctx.method} ${ctx.path.replace(state.token, '…')} (interaction ${state.id}, ${state.label})`;

  const get: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    return { status: 200, body: messageJson(world, webhookMessage(state, p.message ?? '')) };
  };

  const patch: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    const message = webhookMessage(state, p.message ?? '');
    editMessage(world, message, bodyObj(ctx), ctx.files, whereOf(ctx, state), state);
    checkWaiters(world);
    return { status: 200, body: messageJson(world, message) };
  };

  const remove: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    webhookMessage(state, p.message ?? '').deleted = true;
    checkWaiters(world);
    return { status: 204 };
  };

  const followUp: Handler = (ctx, p) => {
    const state = webhookInteraction(ctx, p);
    const body = bodyObj(ctx);
    const where = whereOf(ctx, state);
    const original = state.original;
    // Documented Discord quirk: the first follow-up after a deferred reply edits the loading message
    // instead of creating one, and keeps the defer's ephemeral flag.
    if (state.responseType === 5 && original && !original.deleted && (original.flags & FLAG_LOADING) !== 0) {
      editMessage(world, original, body, ctx.files, where, state);
      checkWaiters(world);
      return { status: 200, body: messageJson(world, original) };
    }
    const message = createMessage(world, {
      body,
      files: ctx.files,
      channelId: state.channelId,
      type: responseMessageType(state),
      interaction: state,
      where,
    });
    state.followUps.push(message);
    announce(world, message);
    checkWaiters(world);
    return { status: 200, body: messageJson(world, message) };
  };

  return [
    route('POST', '/interactions/:id/:token/callback', false, callback),
    route('POST', '/webhooks/:app/:token', false, followUp),
    route('GET', '/webhooks/:app/:token/messages/:message', false, get),
    route('PATCH', '/webhooks/:app/:token/messages/:message', false, patch),
    route('DELETE', '/webhooks/:app/:token/messages/:message', false, remove),
  ];
}
