/**
 * Modal submits: a member fills in the modal the bot opened (callback 9) and sends it back as a
 * MODAL_SUBMIT interaction (type 5) with the values in Discord's shape (action rows of text inputs, or
 * labels holding a text input or a string select), refused in the test when the Discord client would
 * not let it through (required field empty, length out of range, option not offered, second submit).
 */
import { place, send } from './interactions.ts';
import type { InteractionState, World } from './state.ts';
import type { ModalValues } from './types.ts';
import { asArray, asNumber, codePoints, isObj } from './util.ts';
import type { Obj } from './util.ts';

interface ModalField {
  readonly customId: string;
  readonly type: number;
  readonly def: Obj;
  readonly inLabel: boolean;
}

function modalFields(modal: readonly unknown[]): ModalField[] {
  return modal.flatMap((top): ModalField[] => {
    if (!isObj(top)) return [];
    const inputs = top.type === 18 ? [top.component] : (asArray(top.components) ?? []);
    return inputs.flatMap((c) =>
      isObj(c) && typeof c.custom_id === 'string'
        ? [{ customId: c.custom_id, type: asNumber(c.type) ?? 0, def: c, inLabel: top.type === 18 }]
        : [],
    );
  });
}

function checkValue(field: ModalField, value: string | readonly string[] | undefined): void {
  const required = field.def.required !== false;
  if (field.type === 4) {
    if (value !== undefined && typeof value !== 'string')
      throw new Error(`stand-in: text input ${field.customId} takes a string`);
    const text = value ?? '';
    const min = asNumber(field.def.min_length) ?? 0;
    const max = asNumber(field.def.max_length) ?? 4_000;
    if (required && text === '') throw new Error(`stand-in: text input ${field.customId} is required`);
    if (text !== '' && (codePoints(text) < min || codePoints(text) > max)) {
      throw new Error(
        `stand-in: text input ${field.customId} takes ${min}–${max} characters, got ${codePoints(text)}`,
      );
    }
    return;
  }
  const values = typeof value === 'string' ? [value] : [...(value ?? [])];
  const allowed = (asArray(field.def.options) ?? []).flatMap((o) =>
    isObj(o) && typeof o.value === 'string' ? [o.value] : [],
  );
  const min = asNumber(field.def.min_values) ?? 1;
  const max = asNumber(field.def.max_values) ?? 1;
  if (values.some((v) => !allowed.includes(v)))
    throw new Error(`stand-in: select ${field.customId} offers ${JSON.stringify(allowed)}`);
  if ((required || values.length > 0) && (values.length < min || values.length > max)) {
    throw new Error(`stand-in: select ${field.customId} takes ${min}–${max} values, got ${values.length}`);
  }
}

/** Submits the modal the bot opened for `parent`, with the member's values, in Discord's shape. */
export function dispatchModalSubmit(
  world: World,
  parent: InteractionState,
  values: ModalValues,
): InteractionState {
  const modal = parent.modal;
  if (!modal)
    throw new Error(`stand-in: interaction ${parent.id} opened no modal; there is nothing to submit`);
  if (parent.modalSubmitted)
    throw new Error(`stand-in: the modal of interaction ${parent.id} was already submitted`);
  const fields = modalFields(modal.components);
  for (const key of Object.keys(values)) {
    if (!fields.some((f) => f.customId === key)) throw new Error(`stand-in: the modal has no field "${key}"`);
  }
  for (const field of fields) checkValue(field, values[field.customId]);
  let nextId = 1;
  const submitted = (field: ModalField): Obj => {
    const value = values[field.customId];
    return field.type === 4
      ? { type: 4, id: nextId++, custom_id: field.customId, value: typeof value === 'string' ? value : '' }
      : {
          type: field.type,
          id: nextId++,
          custom_id: field.customId,
          values: typeof value === 'string' ? [value] : [...(value ?? [])],
        };
  };
  const rows = modal.components.flatMap((top): Obj[] => {
    if (!isObj(top)) return [];
    const id = nextId++;
    const own = fields.filter((f) =>
      top.type === 18 ? f.def === top.component : (asArray(top.components) ?? []).includes(f.def),
    );
    if (top.type === 18) {
      const field = own[0];
      return field ? [{ type: 18, id, component: submitted(field) }] : [];
    }
    return [{ type: 1, id, components: own.map(submitted) }];
  });
  parent.modalSubmitted = true;
  const { guild, channel } = place(world, parent.guildId, parent.channelId);
  return send(world, {
    kind: 'modal-submit',
    type: 5,
    guild,
    channel,
    actor: parent.actor,
    label: `modal ${modal.customId}`,
    commandName: modal.customId,
    commandType: 0,
    ...(parent.sourceMessage ? { sourceMessage: parent.sourceMessage } : {}),
    data: { custom_id: modal.customId, components: rows },
  });
}
