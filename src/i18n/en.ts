/**
 * Every text the bot shows members, in English (the source language), as ICU MessageFormat
 * patterns keyed by a stable code. A refusal's code is also its metric label and log `code`.
 * Numbers use `{n, number}` so each locale formats them its own way; dates are Discord
 * timestamps (`<t:…>`), which every reader's client shows in their own language and time zone.
 */
export const en = {
  // Refusals: what a member is told privately when the bot will not do something.
  blank_prompt: 'Your question is empty. Type your question after `prompt:`.',
  prompt_too_long:
    'Your question is {length, number} characters; the limit is {limit, number}. Please shorten it.',
  missing_permission:
    'This needs the **{permission, select, ManageChannels {Manage Channels} ManageGuild {Manage Server} ManageMessages {Manage Messages} other {{permission}}}** permission here. Ask a server manager.',
  bot_missing_permission:
    'I cannot do that here: I need **{permission, select, CreatePublicThreads {Create Public Threads and Send Messages in Threads} other {{permission}}}** in this channel. Ask again without it, or ask a manager to grant it.',
  not_operator: 'This is for the bot operators only.',
  guild_only:
    'I only answer inside a server: questions are charged to the server’s monthly budget, and a direct message has none.',
  unknown_model: '`{model}` is not a model you can use here. Choose one of: {models}.',
  model_unavailable:
    'This channel’s model `{model}` is not available on this bot right now. A manager can pick another with `/model set`; usable models: {models}.',
  model_month_spent:
    '`{model}` has used its monthly quota on this bot’s Mistral key; it comes back next month. Nothing was sent or charged.{others, select, none {} other { Other models still work: {others}; a manager can switch with `/model set`.}}',
  budget_spent:
    'This server has used its monthly token budget: **{used, number} of {limit, number} tokens**. It resets {resetsAt}. A bot operator can raise it with `/budget set`.',
  budget_too_small:
    'This question needs about {needed, number} tokens, but this server has only {left, number} of its {limit, number} monthly tokens left. {context, select, yes {That includes this conversation’s earlier turns (`/forget` clears them in a thread);} other {Try a shorter question;}} the budget resets {resetsAt}.',
  budget_held:
    'The last {left, number} of this server’s {limit, number} monthly tokens are held by questions being answered right now. Try again in a minute; if they need less, the rest comes back. The budget resets {resetsAt}.',
  member_budget_held:
    'The rest of your monthly share ({left, number} of {limit, number} tokens) is held by your question being answered right now. Ask again once it is done.',
  member_budget_spent:
    'You have used your share of this server’s monthly token budget: **{used, number} of {limit, number} tokens**. It resets {resetsAt}; others here can still ask. A server manager can change your share with `/budget member`.',
  member_budget_too_small:
    'This question needs about {needed, number} tokens, but only {left, number} of your {limit, number}-token monthly share are left. Try a shorter question; your share resets {resetsAt}.',
  cooldown: 'Please wait {seconds, plural, one {# second} other {# seconds}} before your next question.',
  busy: 'I’m busy: {waiting, plural, one {# question is} other {# questions are}} already waiting. Please try again in a minute; nothing was sent or charged.',
  guild_busy:
    'I’m busy: this server already has {waiting, plural, one {# question} other {# questions}} waiting. Please try again in a minute; nothing was sent or charged.',
  member_busy:
    'Your previous question is still waiting for its turn; ask again once it is answered. Nothing was sent or charged.',
  question_too_large:
    'This question needs up to {tokens, number} tokens, more than `{model}` may use in a minute ({perMinute, number}). Please shorten it. Nothing was sent or charged.',
  waited_too_long:
    'Your question waited too long in line and was not sent; nothing was charged. Please ask again.',
  restarting:
    'I am restarting and not taking new requests right now; nothing was sent or charged. Please try again in a minute.',
  not_sent_restarting:
    'I am restarting; your question was not sent and nothing was charged. Please ask again in a moment.',
  stopped_before_start: 'Stopped before it was sent to Mistral; nothing was charged.',
  store_unavailable:
    'My storage is not answering right now, so I cannot check this server’s budget. Nothing was sent or charged; please try again in a few minutes.',
  usage_unrecorded:
    'I could not record the usage of recent answers yet, so I am not taking new questions until my storage works again. Nothing was sent or charged; please try again in a few minutes.',
  setting_not_saved:
    'I could not save that: my storage did not answer, and nothing changed. Please try again in a few minutes.',
  upstream_rate_limited:
    'Mistral is rate-limiting this bot right now. Nothing was charged. Please try again in a minute.',
  upstream_quota_exhausted:
    '`{model}` has used its monthly quota on this bot’s Mistral key; it comes back next month. Nothing was charged.{others, select, none {} other { Other models still work: {others}; a manager can switch with `/model set`.}}',
  upstream_model_unavailable:
    '`{model}` is not available on this bot’s Mistral plan. Nothing was charged.{others, select, none {} other { Other models still work: {others}; a manager can switch with `/model set`.}}',
  upstream_server_error:
    'Mistral is having trouble answering (server error). Nothing was charged. Please try again later.',
  upstream_network: 'I could not reach Mistral. Nothing was charged. Please try again later.',
  upstream_malformed: 'Mistral sent an answer I could not read. Nothing was charged. Please try again later.',
  upstream_timed_out:
    'Mistral did not answer in time. Nothing was charged. Please try again, perhaps with a shorter question.',
  upstream_bad_request:
    'Mistral refused this request. Nothing was charged. Try rephrasing or shortening your question.',
  upstream_unknown_model:
    'Mistral does not know the model `{model}`. Nothing was charged. A manager can pick another with `/model set`.',
  upstream_unauthorized:
    'The bot’s Mistral key was refused; the operator needs to fix it. Nothing was charged.',
  system_prompt_blank: 'The system prompt is empty. To go back to the default, use `/system-prompt clear`.',
  system_prompt_too_long:
    'That system prompt is {length, number} characters; the limit is {limit, number} (it is sent with every question and counts against the server’s budget). Please shorten it.',
  thread_needs_text_channel:
    'I can only open a thread from an answer in a text or announcement channel. Ask again without `thread`.',
  unknown_command: 'I do not know this command any more; it will disappear shortly.',
  failed: 'Something went wrong on my side; it has been logged as `{ref}`. Please try again later.',
  with_ref: '{text} (ref `{ref}`)',

  forget_outside_thread:
    'Only threads remember earlier questions, so there is nothing to forget here. Each `/ask` in a channel starts fresh; use `/forget` inside a thread.',
  forgotten:
    '{turns, plural, =0 {This thread had nothing to remember.} one {Forgotten: # earlier question and answer.} other {Forgotten: # earlier questions and answers.}} The next `/ask` here starts fresh.',

  model_show:
    'This channel uses `{model}`{unavailable, select, yes { (not available on this bot right now)} other {}}.',
  model_list:
    'Models you can use: {models}.\nThis channel uses `{model}`{unavailable, select, yes { (not available right now; pick another)} other {}}; the default is `{default}`.',
  model_set: 'This channel now uses `{model}`.',

  system_prompt_set:
    'System prompt set for this channel{thread, select, yes { (this thread only)} other { and its threads}}. It goes with every question here: about {tokens, number} tokens each time.',
  system_prompt_cleared:
    'System prompt cleared. This channel now uses {source, select, parent {its parent channel’s prompt} other {the default prompt}}.',
  system_prompt_show:
    '{source, select, channel {This channel’s own system prompt:} parent {This thread follows <#{parent}>’s system prompt:} other {This channel uses the default system prompt (`/system-prompt set` replaces it):}}',

  usage_title: '**Mistral usage for {guild} — {month} (UTC)**',
  usage_used:
    'Used **{used, number}** of {limit, number} tokens{limited, select, yes { ({share, number, ::percent .0})} other {}}; **{left, number}** left. Resets {resetsAt}.',
  usage_split:
    'Prompt {prompt, number} · completion {completion, number} · {requests, plural, one {# request} other {# requests}}',
  usage_reserved: '({reserved, number} tokens held by questions in progress.)',
  usage_near_share: 'Members near or over their share: {members}.',
  usage_share_of: '{share, number, ::percent} of their share',
  usage_by_model: '**By model**',
  usage_model_line:
    '• `{model}`: {total, number} (prompt {prompt, number} · completion {completion, number}) · {requests, number} req',
  usage_top_members: '**Top members**',
  usage_member_line:
    '• {user}: {total, number} · {requests, number} req{capped, select, yes { · {share, number, ::percent} of {cap, number}} other {}}',
  usage_more_members: '…and {count, number} more.',
  usage_none: 'No questions asked yet this month.',
  usage_shortened: '…(list shortened)',

  alert_budget_near:
    '**Budget alert:** this server has used **{share, number, ::percent}** of its Mistral token budget for {month} ({used, number} of {limit, number} tokens). It resets {resetsAt}. Details: `/usage`.',
  alert_budget_spent:
    '**Budget alert:** this server has used up its Mistral token budget for {month} ({used, number} of {limit, number} tokens). Questions are refused until it resets {resetsAt}; a bot operator can raise the budget with `/budget set`.',
  alert_key:
    '**Key alert:** `{model}` has used {used, number} tokens{limited, select, yes { of its {limit, number}-token monthly limit ({share, number, ::percent})} other {}} on this bot’s Mistral key in {month}, past the alert threshold ({kind, select, tokens {{tokens, number} tokens} other {{percent, number, ::percent}}}, `KEY_MONTHLY_TOKEN_ALERT`).',
  alerts_off:
    'Budget alerts: off. Choose a channel with `/usage alerts-channel:` to be told at 80% and 100%.',
  alerts_on:
    'Budget alerts: at 80% and 100%, in {channel} (`/usage alerts:off` stops them).{sent, select, none {} other { This month: {sent}.}}',
  alert_sent: '{threshold, number, ::percent} sent{when}',
  alert_not_posted: '{threshold, number, ::percent} could not be posted{when}; check my permissions there',
  alerts_set: '✅ Budget alerts will be posted in {channel}.',
  alerts_stopped: '✅ Budget alerts are off.',
  alerts_both: 'Choose either `alerts-channel:` or `alerts:off`, not both.',
  alerts_foreign_channel: 'That channel is not in this server. Pick one of this server’s text channels.',
  chart_description:
    'Bar chart: tokens per day in {month}, stacked by model. The numbers are in the message.',
  chart_title: 'Tokens per day, {month} (UTC)',
  chart_empty: 'No usage yet this month',

  budget_guild_id: 'Give a server ID: 17–20 digits (right-click the server → Copy Server ID).',
  budget_member_both: 'Give either `tokens:` or `clear:`, not both.',
  budget_show:
    '{verb, select, set {Budget set. } clear {Override cleared. } other {}}Server `{guild}`: **{limit, number} tokens/month** ({source, select, override {an operator override} other {the default, `GUILD_MONTHLY_TOKEN_BUDGET`}}). Used {used, number}, {left, number} left; resets {resetsAt}.',
  budget_member_show:
    '{verb, select, set {Member cap set. } cleared {Member cap cleared. } other {}}{user} may use **{limit, number} tokens/month** of this server’s {guildLimit, number} ({source, select, override {set by a manager} other {the default share, `MEMBER_MONTHLY_TOKEN_SHARE`}}). Used {used, number}, {left, number} left; resets {resetsAt}.',

  modal_ask_title: 'Ask Mistral about this message',
  modal_ask_question: 'Your question',
  modal_ask_visibility: 'Who sees the answer',
  modal_ask_everyone: 'Everyone in the channel',
  modal_ask_only_me: 'Only me',
  ask_about_expired: 'That took too long and I no longer have the message. Pick “Ask Mistral” on it again.',

  // Command definitions (Discord shows these in the command picker; at most 100 characters).
  cmd_ask: 'Ask this channel’s Mistral model a question',
  cmd_ask_prompt: 'Your question',
  cmd_ask_attachment: 'An image, text file or PDF to ask about',
  cmd_ask_thread: 'Open a thread from the answer to continue the conversation there',
  cmd_ask_private: 'Only you see the answer',
  cmd_model: 'Show or choose the Mistral model this channel uses',
  cmd_model_set: 'Choose this channel’s model (Manage Channels)',
  cmd_model_set_model: 'Model name',
  cmd_model_show: 'Show this channel’s model',
  cmd_model_list: 'List the models you can use',
  cmd_system_prompt: 'Set, show or clear this channel’s system prompt (Manage Channels)',
  cmd_system_prompt_set: 'Tell the model how to answer in this channel (threads follow their channel)',
  cmd_system_prompt_set_text: 'The instructions, up to 1,500 characters',
  cmd_system_prompt_show: 'Show this channel’s system prompt',
  cmd_system_prompt_clear: 'Go back to the default system prompt',
  cmd_usage: 'This server’s Mistral token usage this month (private)',
  cmd_usage_alerts_channel: 'Post budget alerts (at 80% and 100% of the monthly budget) in this channel',
  cmd_usage_alerts: 'Stop posting budget alerts',
  cmd_budget: 'Server budgets (operators) and member caps (Manage Server)',
  cmd_budget_guild: 'Server ID (defaults to this server)',
  cmd_budget_tokens: 'Tokens per calendar month (UTC)',
  cmd_budget_set: 'Override a server’s monthly token budget (bot operators)',
  cmd_budget_clear: 'Return a server to the default budget (bot operators)',
  cmd_budget_show: 'Show a server’s budget and what it has used (bot operators)',
  cmd_budget_member: 'Show, set or clear one member’s monthly cap in this server (Manage Server)',
  cmd_budget_member_user: 'The member',
  cmd_budget_member_clear: 'Return the member to the default share',
  ctx_ask: 'Ask Mistral',
  ctx_summarize: 'Summarize',
  ctx_explain: 'Explain',
  ctx_translate: 'Translate to my language',
  cmd_forget: 'Clear this thread’s conversation memory; the next /ask here starts fresh',

  // While a question waits or the model thinks (the first message of the answer).
  waiting:
    '⏳ Waiting for my turn with Mistral: you are **#{position, number}** in line (about {eta, select, minutes {{minutes, number} min} other {{seconds, number} s}}).',
  waiting_stalled:
    '⏳ Waiting for my turn with Mistral: you are **#{position, number}** in line. The bot’s shared queue is not answering right now; your question goes as soon as it is back.',
  thinking: '💭 Thinking… ({seconds, number} s)',

  // Under an answer.
  answer_empty: '(The model returned an empty answer.)',
  answer_cut_off:
    '-# ⚠️ The answer was cut off: {why, select, timed_out {Mistral stopped sending} other {the connection to Mistral broke before the answer was finished}}.',
  answer_length: '-# (Cut short: the answer reached its length limit.)',
  answer_stopped: '-# ⏹️ Stopped.',
  answer_footer:
    '-# {model} · {estimated, select, yes {~} other {}}{tokens, number} tokens{turns, plural, =0 {} one { · # earlier turn remembered} other { · # earlier turns remembered}}{thought, select, none {} other { · thought for {thought} s}}',
  thread_not_opened: 'I answered, but Discord would not let me open a thread from the answer here.',
  thread_name_default: 'Conversation',

  // Buttons on answers.
  button_stop: 'Stop',
  button_regenerate: 'Regenerate',
  button_reasoning: 'Show reasoning',
  regenerated_note: '-# 🔁 Asked again by {user}.',
  reasoning_header: 'How `{model}` reasoned before answering:',
  reasoning_in_file: 'How `{model}` reasoned before answering (attached: it is long).',
  button_not_yours: 'Only the member who asked, or someone with **Manage Messages**, can do that.',
  answer_not_running: 'This answer is no longer being written (it finished, or the bot restarted).',
  answer_forgotten:
    'I no longer have this question (answers can be regenerated for {days, plural, one {# day} other {# days}}). Ask again instead.',
  no_reasoning: 'This answer has no reasoning to show.',

  // Attachments, vision and reasoning models.
  attachment_too_many_images:
    'You attached {count, number} images; Mistral reads at most {max, number} in one question. Ask about fewer at a time. Nothing was sent or charged.',
  attachment_too_large:
    '`{name}` is {mb, number} MB; I can take files of at most {max, number} MB. Attach a smaller copy. Nothing was sent or charged.',
  attachment_text_too_long:
    '`{name}`{others, plural, =0 { comes} one { and # more file come} other { and # more files come}} to {exact, select, yes {about} other {at least}} {tokens, number} tokens; the files of one question may add at most {limit, number} (`MAX_ATTACHMENT_TOKENS`). Attach a shorter file or paste the part you need. Nothing was sent or charged.',
  attachment_not_readable:
    '{kind, select, image {`{name}` is {format, select, none {not an image I can read} other {a {format} image}}: Mistral reads PNG, JPEG, WEBP and single-frame GIF images. Convert it and attach it again.} pdf {`{name}` is named as a PDF but is not one I can read.} other {`{name}` is not a file I can read{format, select, none {} other { (it is {format})}}: I take images (PNG, JPEG, WEBP, single-frame GIF), UTF-8 text files and PDFs.}} Nothing was sent or charged.',
  attachment_animated:
    '`{name}` is animated; Mistral reads single-frame images only. Attach a still image (a screenshot of the frame you mean). Nothing was sent or charged.',
  attachment_unavailable:
    'I could not download `{name}` from Discord{why, select, expired { (its link has expired: attach the file again)} timeout { (it took too long)} other {}}. Nothing was sent or charged.',
  vision_not_supported:
    'This channel’s model `{model}` cannot read images.{models, select, none { No model offered here can; a bot operator can set `VISION_MODEL`.} other { A manager can switch to one that can with `/model set`: {models}.}} Nothing was sent or charged.',
  documents_not_supported:
    'This channel’s model `{model}` cannot read PDFs.{models, select, none { No model offered here can; a bot operator can name the ones that do in `DOCUMENT_MODELS`.} other { A manager can switch to one that can with `/model set`: {models}.}} Nothing was sent or charged.',
  capabilities_unknown:
    'I do not know yet which models {what, select, images {can read images} documents {can read PDFs} other {reason, nor how}}: Mistral’s list of models has not answered. Please try again in a few minutes. Nothing was sent or charged.',
  reasoning_effort_refused:
    'Mistral refused the reasoning effort `{effort}` that this channel uses with `{model}`{efforts, select, none {: this model takes none} other {; it takes {efforts}}}. A manager can change it with `/model set`. Nothing was charged.',
  reasoning_not_supported:
    '`{model}` does not reason, so it takes no `reasoning` option.{models, select, none {} other { Models that reason: {models}.}}',
  reasoning_effort_not_offered:
    '`{model}` takes the reasoning efforts {efforts} (or `default`, its own), not `{effort}`.',
  model_set_reasoning: 'This channel now uses `{model}` with reasoning effort `{effort}`.',
  model_set_effort_cleared:
    'This channel now uses `{model}`. Its reasoning effort `{effort}` does not apply to this model, so it was cleared.',
  model_show_reasoning: 'Reasoning effort: `{effort}`.',
  model_list_legend: '🖼️ reads images · 📄 reads PDFs · 💭 reasons (`/model set` with `reasoning:`)',
  reasoning_choice_default: 'default (the model’s own)',
  cmd_model_set_reasoning:
    'How much a reasoning model thinks first (the efforts it takes; default = its own)',
} as const;

export type MessageCode = keyof typeof en;
