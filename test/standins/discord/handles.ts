/** The live handle a test reads for each interaction it dispatched, and its state for error messages. */
import { snapshot } from './render.ts';
import { wait } from './state.ts';
import type { InteractionState, MessageState, World } from './state.ts';
import type { AutocompleteHandle, InteractionHandle } from './types.ts';
import { DEFAULT_WAIT_MS } from './util.ts';

/** The interaction's state as one JSON line, for timeout messages. */
export function describeState(world: World, state: InteractionState): string {
  return JSON.stringify({
    interaction: state.id,
    kind: state.kind,
    command: state.label,
    responseType: state.responseType ?? null,
    ackAt: state.ackAt ?? null,
    deferred: state.deferred,
    ephemeral: state.ephemeral,
    original: state.original && !state.original.deleted ? state.original.content : null,
    edits: state.edits.length,
    followUps: state.followUps.filter((m) => !m.deleted).map((m) => m.content),
    choices: state.choices ?? null,
    modal: state.modal?.customId ?? null,
    violations: world.violations.filter((v) => v.includes(state.id)),
  });
}

/** The live view tests get for an interaction. */
export function makeHandle(world: World, state: InteractionState): AutocompleteHandle {
  const live = (m: MessageState | undefined): MessageState | undefined => (m && !m.deleted ? m : undefined);
  const handle: AutocompleteHandle = {
    id: state.id,
    token: state.token,
    kind: state.kind,
    payload: state.payload,
    dispatchedAt: state.dispatchedAt,
    get ackAt() {
      return state.ackAt;
    },
    get responseType() {
      return state.responseType;
    },
    get ephemeral() {
      return state.ephemeral;
    },
    get deferred() {
      return state.deferred;
    },
    original: () => live(state.original)?.content,
    originalMessage: () => {
      const m = live(state.original);
      return m ? snapshot(m) : undefined;
    },
    followUps: () => state.followUps.filter((m) => !m.deleted).map(snapshot),
    edits: () => [...state.edits],
    messageEdits: () => [...state.messageEdits],
    allMessages: () =>
      [...(live(state.original) ? [state.original] : []), ...state.followUps]
        .filter((m): m is MessageState => m !== undefined && !m.deleted)
        .map(snapshot),
    modal: () => (state.modal ? structuredClone(state.modal) : undefined),
    choices: () => state.choices?.map((c) => ({ ...c })),
    waitFor: (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      wait(
        world,
        () => predicate(handle),
        timeoutMs,
        () => `for a predicate; interaction state: ${describeState(world, state)}`,
      ),
    waitForAck: (timeoutMs = DEFAULT_WAIT_MS) =>
      wait(
        world,
        () => state.ackAt !== undefined,
        timeoutMs,
        () => `for an acknowledgement; interaction state: ${describeState(world, state)}`,
      ),
  };
  return handle;
}

/** The state behind a handle this stand-in gave out. */
export function stateOf(world: World, handle: InteractionHandle): InteractionState {
  const state = world.interactions.get(handle.id);
  if (!state) throw new Error(`stand-in: interaction ${handle.id} is not from this stand-in`);
  return state;
}
