/**
 * The stand-in's own body rules, on top of the published schemas (schema.ts): the limits Discord
 * enforces that the OpenAPI spec does not say (code-point lengths, 6000-character embed total, command
 * naming by type, context-menu counts, button rows, modal shape) and the project's allowed_mentions rule.
 * Each function returns Discord-style form issues; an empty list means the body passes.
 */
import {
  FLAG_COMPONENTS_V2,
  MAX_CONTENT_LENGTH,
  asArray,
  asNumber,
  asString,
  badLengthIssue,
  codePoints,
  isObj,
  maxLengthIssue,
} from './util.ts';
import type { FormIssue, Obj } from './util.ts';

const MAX_AUTOCOMPLETE_CHOICES = 25;
/** Context-menu commands per type and scope (raised from 5 to 15 in 2026-03). */
export const MAX_CONTEXT_MENU_COMMANDS = 15;
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
/** User and message command names: 1–32 characters, spaces and capitals allowed. */
const CONTEXT_MENU_NAME = /^[-_' \p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Content and embed limits of a message body (Discord's numbers, code-point lengths). */
export function messageIssues(body: Obj, prefix: string): FormIssue[] {
  const issues: FormIssue[] = [];
  const content = asString(body.content);
  if (content !== undefined && codePoints(content) > MAX_CONTENT_LENGTH) {
    issues.push(maxLengthIssue(`${prefix}content`, MAX_CONTENT_LENGTH));
  }
  issues.push(...componentIssues(body, prefix));
  const embeds = asArray(body.embeds);
  if (!embeds) return issues;
  if (embeds.length > 10) issues.push(maxLengthIssue(`${prefix}embeds`, 10));
  let total = 0;
  const measure = (value: unknown, path: string, max: number): void => {
    const text = asString(value);
    if (text === undefined) return;
    const size = codePoints(text);
    total += size;
    if (size > max) issues.push(maxLengthIssue(path, max));
  };
  embeds.forEach((embed, index) => {
    if (!isObj(embed)) return;
    const at = `${prefix}embeds.${index}`;
    measure(embed.title, `${at}.title`, 256);
    measure(embed.description, `${at}.description`, 4_096);
    if (isObj(embed.footer)) measure(embed.footer.text, `${at}.footer.text`, 2_048);
    if (isObj(embed.author)) measure(embed.author.name, `${at}.author.name`, 256);
    const fields = asArray(embed.fields) ?? [];
    if (fields.length > 25) issues.push(maxLengthIssue(`${at}.fields`, 25));
    fields.forEach((field, fieldIndex) => {
      if (!isObj(field)) return;
      measure(field.name, `${at}.fields.${fieldIndex}.name`, 256);
      measure(field.value, `${at}.fields.${fieldIndex}.value`, 1_024);
    });
  });
  if (total > 6_000) {
    issues.push({
      path: `${prefix}embeds`,
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: 'Embed size exceeds maximum size of 6000',
    });
  }
  return issues;
}

/**
 * Message components: at most 5 action rows (40 components with components v2, which also forbids
 * content and embeds), each row 1–5 buttons or one select; a button has style 1–6, a label ≤ 80, a
 * custom_id 1–100 unless it is a link (style 5, needs a url) or premium (style 6, needs a sku_id);
 * custom_ids are unique within the message.
 */
export function componentIssues(body: Obj, prefix: string): FormIssue[] {
  const rows = asArray(body.components);
  if (!rows) return [];
  const issues: FormIssue[] = [];
  const v2 = ((asNumber(body.flags) ?? 0) & FLAG_COMPONENTS_V2) !== 0;
  const at = `${prefix}components`;
  if (v2) {
    if ((asString(body.content) ?? '') !== '' || (asArray(body.embeds)?.length ?? 0) > 0) {
      issues.push({
        path: at,
        code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        message: 'The content and embeds fields cannot be used with components v2',
      });
    }
    return issues;
  }
  if (rows.length > 5) issues.push(maxLengthIssue(at, 5));
  const ids = new Set<string>();
  rows.forEach((row, r) => {
    const rowAt = `${at}.${r}`;
    if (!isObj(row) || row.type !== 1) {
      issues.push({
        path: `${rowAt}.type`,
        code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        message: 'Top-level components must be action rows.',
      });
      return;
    }
    const children = asArray(row.components) ?? [];
    const buttons = children.filter((c) => isObj(c) && c.type === 2).length;
    if (
      children.length === 0 ||
      children.length > 5 ||
      (buttons !== children.length && children.length !== 1)
    ) {
      issues.push({
        path: `${rowAt}.components`,
        code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        message: 'An action row holds 1–5 buttons or one select menu.',
      });
    }
    children.forEach((child, c) => {
      if (!isObj(child)) return;
      const childAt = `${rowAt}.components.${c}`;
      const customId = asString(child.custom_id);
      if (customId !== undefined) {
        if (codePoints(customId) < 1 || codePoints(customId) > 100)
          issues.push(badLengthIssue(`${childAt}.custom_id`, 1, 100));
        if (ids.has(customId)) {
          issues.push({
            path: `${childAt}.custom_id`,
            code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
            message: 'Component custom id cannot be duplicated',
          });
        }
        ids.add(customId);
      }
      if (child.type !== 2) return;
      const style = asNumber(child.style) ?? 0;
      if (!Number.isInteger(style) || style < 1 || style > 6) {
        issues.push({
          path: `${childAt}.style`,
          code: 'BASE_TYPE_CHOICES',
          message: 'Value must be one of (1, 2, 3, 4, 5, 6).',
        });
      }
      const label = asString(child.label);
      if (label !== undefined && codePoints(label) > 80) issues.push(maxLengthIssue(`${childAt}.label`, 80));
      if (style === 5 && (asString(child.url) === undefined || customId !== undefined)) {
        issues.push({
          path: `${childAt}.url`,
          code: 'BUTTON_COMPONENT_URL_REQUIRED',
          message: 'A link button needs a url and no custom_id.',
        });
      }
      if (style >= 1 && style <= 4 && customId === undefined) {
        issues.push({
          path: `${childAt}.custom_id`,
          code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED',
          message: 'This button needs a custom_id.',
        });
      }
      if (label === undefined && child.emoji === undefined && style !== 6) {
        issues.push({
          path: `${childAt}.label`,
          code: 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED',
          message: 'A button needs a label or an emoji.',
        });
      }
    });
  });
  return issues;
}

/**
 * A modal (callback type 9): custom_id 1–100, title 1–45, 1–5 top-level components, each an action row
 * with one text input or a Label (type 18, label ≤ 45) holding a text input or a string select; a text
 * input has custom_id 1–100, style 1–2, label ≤ 45 when in a row, max_length ≤ 4000, min ≤ max.
 */
export function modalIssues(data: Obj): FormIssue[] {
  const issues: FormIssue[] = [];
  const customId = asString(data.custom_id) ?? '';
  if (codePoints(customId) < 1 || codePoints(customId) > 100)
    issues.push(badLengthIssue('data.custom_id', 1, 100));
  const title = asString(data.title) ?? '';
  if (codePoints(title) < 1 || codePoints(title) > 45) issues.push(badLengthIssue('data.title', 1, 45));
  const top = asArray(data.components) ?? [];
  if (top.length < 1 || top.length > 5) issues.push(badLengthIssue('data.components', 1, 5));
  const ids = new Set<string>();
  const input = (c: unknown, at: string, inRow: boolean): void => {
    if (!isObj(c)) {
      issues.push({ path: at, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used.' });
      return;
    }
    const id = asString(c.custom_id) ?? '';
    if (codePoints(id) < 1 || codePoints(id) > 100) issues.push(badLengthIssue(`${at}.custom_id`, 1, 100));
    if (ids.has(id))
      issues.push({
        path: `${at}.custom_id`,
        code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
        message: 'Component custom id cannot be duplicated',
      });
    ids.add(id);
    if (c.type === 3) {
      const options = asArray(c.options) ?? [];
      if (options.length < 1 || options.length > 25) issues.push(badLengthIssue(`${at}.options`, 1, 25));
      return;
    }
    if (c.type !== 4) {
      issues.push({
        path: `${at}.type`,
        code: 'BASE_TYPE_CHOICES',
        message: 'Expected a text input (4) or a string select (3).',
      });
      return;
    }
    if (c.style !== 1 && c.style !== 2)
      issues.push({
        path: `${at}.style`,
        code: 'BASE_TYPE_CHOICES',
        message: 'Value must be one of (1, 2).',
      });
    const label = asString(c.label);
    if (inRow && (label === undefined || codePoints(label) < 1 || codePoints(label) > 45))
      issues.push(badLengthIssue(`${at}.label`, 1, 45));
    const max = asNumber(c.max_length) ?? 4_000;
    const min = asNumber(c.min_length) ?? 0;
    if (max < 1 || max > 4_000)
      issues.push({
        path: `${at}.max_length`,
        code: 'NUMBER_TYPE_MAX',
        message: 'int value should be between 1 and 4000.',
      });
    if (min < 0 || min > max)
      issues.push({
        path: `${at}.min_length`,
        code: 'NUMBER_TYPE_MAX',
        message: 'min_length must be between 0 and max_length.',
      });
    const value = asString(c.value);
    if (value !== undefined && codePoints(value) > max) issues.push(maxLengthIssue(`${at}.value`, max));
  };
  top.forEach((component, index) => {
    const at = `data.components.${index}`;
    if (isObj(component) && component.type === 1) {
      const children = asArray(component.components) ?? [];
      if (children.length !== 1) issues.push(badLengthIssue(`${at}.components`, 1, 1));
      children.forEach((child, c) => input(child, `${at}.components.${c}`, true));
    } else if (isObj(component) && component.type === 18) {
      const label = asString(component.label) ?? '';
      if (codePoints(label) < 1 || codePoints(label) > 45) issues.push(badLengthIssue(`${at}.label`, 1, 45));
      input(component.component, `${at}.component`, false);
    } else {
      issues.push({
        path: `${at}.type`,
        code: 'BASE_TYPE_CHOICES',
        message: 'Expected an action row (1) or a label (18).',
      });
    }
  });
  return issues;
}

/** One command definition, by type: chat input (1), user (2), message (3). */
export function commandIssues(def: unknown, path: string): FormIssue[] {
  if (!isObj(def)) return [{ path, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used.' }];
  const issues: FormIssue[] = [];
  const type = asNumber(def.type) ?? 1;
  const name = asString(def.name) ?? '';
  const description = asString(def.description) ?? '';
  if (type === 2 || type === 3) {
    if (!CONTEXT_MENU_NAME.test(name)) {
      issues.push({
        path: `${path}.name`,
        code: 'APPLICATION_COMMAND_INVALID_NAME',
        message: 'Command name is invalid',
      });
    }
    if (description !== '') {
      issues.push({
        path: `${path}.description`,
        code: 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
        message: 'Context menu commands cannot have description',
      });
    }
    if ((asArray(def.options)?.length ?? 0) > 0) {
      issues.push({
        path: `${path}.options`,
        code: 'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
        message: 'Context menu commands cannot have options',
      });
    }
    return issues;
  }
  if (type !== 1) {
    issues.push({
      path: `${path}.type`,
      code: 'BASE_TYPE_CHOICES',
      message: 'Value must be one of (1, 2, 3, 4).',
    });
    return issues;
  }
  if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    issues.push({
      path: `${path}.name`,
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name is invalid',
    });
  }
  if (codePoints(description) < 1 || codePoints(description) > 100)
    issues.push(badLengthIssue(`${path}.description`, 1, 100));
  issues.push(...optionIssues(def.options, `${path}.options`, 0));
  return issues;
}

/** Context menus per type in a list of definitions, over the cap. */
export function contextMenuCountIssues(defs: readonly unknown[], path: string): FormIssue[] {
  const issues: FormIssue[] = [];
  for (const type of [2, 3]) {
    const count = defs.filter((d) => isObj(d) && d.type === type).length;
    if (count > MAX_CONTEXT_MENU_COMMANDS) {
      issues.push({
        path,
        code: 'APPLICATION_COMMANDS_CONTEXT_MENU_LIMIT',
        message: `Maximum number of ${type === 2 ? 'user' : 'message'} commands reached (${MAX_CONTEXT_MENU_COMMANDS}).`,
      });
    }
  }
  return issues;
}

function optionIssues(options: unknown, path: string, depth: number): FormIssue[] {
  const list = asArray(options);
  if (!list) return [];
  const issues: FormIssue[] = [];
  if (list.length > 25) issues.push(maxLengthIssue(path, 25));
  let sawOptional = false;
  const names = new Set<string>();
  list.forEach((option, index) => {
    const at = `${path}.${index}`;
    if (!isObj(option)) {
      issues.push({ path: at, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used.' });
      return;
    }
    const type = asNumber(option.type) ?? 0;
    const name = asString(option.name) ?? '';
    if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
      issues.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Invalid name' });
    }
    if (names.has(name)) {
      issues.push({
        path: `${at}.name`,
        code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        message: 'Option name already exists',
      });
    }
    names.add(name);
    const description = asString(option.description) ?? '';
    if (codePoints(description) < 1 || codePoints(description) > 100)
      issues.push(badLengthIssue(`${at}.description`, 1, 100));
    if (type < 1 || type > 11) {
      issues.push({ path: `${at}.type`, code: 'BASE_TYPE_CHOICES', message: 'Value must be one of 1–11.' });
    }
    if (type === 1 || type === 2) {
      if (depth >= (type === 2 ? 1 : 2)) {
        issues.push({
          path: `${at}.type`,
          code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
          message: 'Bad nesting',
        });
      }
      issues.push(...optionIssues(option.options, `${at}.options`, depth + 1));
      return;
    }
    if (option.required === true && sawOptional) {
      issues.push({
        path: `${at}.required`,
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    }
    if (option.required !== true) sawOptional = true;
    const choices = asArray(option.choices);
    if (choices && choices.length > 25) issues.push(maxLengthIssue(`${at}.choices`, 25));
  });
  return issues;
}

/** Autocomplete choices (callback 8): ≤ 25, names 1–100, string values ≤ 100. */
export function choiceIssues(choices: unknown): FormIssue[] {
  const list = asArray(choices);
  if (!list) return [{ path: 'data.choices', code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }];
  const issues: FormIssue[] = [];
  if (list.length > MAX_AUTOCOMPLETE_CHOICES)
    issues.push(maxLengthIssue('data.choices', MAX_AUTOCOMPLETE_CHOICES));
  list.forEach((choice, index) => {
    const at = `data.choices.${index}`;
    const name = isObj(choice) ? asString(choice.name) : undefined;
    if (name === undefined || codePoints(name) < 1 || codePoints(name) > 100)
      issues.push(badLengthIssue(`${at}.name`, 1, 100));
    const value = isObj(choice) ? choice.value : undefined;
    if (typeof value === 'string' ? codePoints(value) > 100 : typeof value !== 'number') {
      issues.push({
        path: `${at}.value`,
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be a string of at most 100 or a number.',
      });
    }
  });
  return issues;
}

/**
 * The project's rule, recorded but never refused: text the bot sends says `allowed_mentions: { parse: [] }`.
 * Returns the breach to record, if any. `replied_user` is not judged: pinging the member one answers is allowed.
 */
export function allowedMentionsBreach(body: Obj): string | undefined {
  const hasText = (asString(body.content) ?? '') !== '' || (asArray(body.embeds)?.length ?? 0) > 0;
  if (!hasText) return undefined;
  const allowed = body.allowed_mentions;
  if (!isObj(allowed)) return 'message text sent without allowed_mentions (would ping @everyone/roles/users)';
  const parse = asArray(allowed.parse);
  if (parse && parse.length > 0) return `allowed_mentions.parse is ${JSON.stringify(parse)}, expected []`;
  return undefined;
}
