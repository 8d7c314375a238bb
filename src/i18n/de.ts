import type { MessageCode } from './en.ts';

/**
 * German texts, one for every code of the English source (en.ts), same placeholders, plurals and
 * selects. Members are addressed with "du", as Discord's own German interface does; "das
 * Serverteam" stands for the members who manage the server or channel. Permission names are the
 * ones Discord's German client shows. A no-break space (U+00A0) keeps a number and its percent
 * sign on one line.
 */
export const de = {
  blank_prompt: 'Deine Frage ist leer. Schreib deine Frage hinter `frage:`.',
  prompt_too_long: 'Deine Frage hat {length, number} Zeichen; erlaubt sind {limit, number}. Bitte kürze sie.',
  missing_permission:
    'Dafür brauchst du hier die Berechtigung **{permission, select, ManageChannels {Kanäle verwalten} ManageGuild {Server verwalten} ManageMessages {Nachrichten verwalten} other {{permission}}}**. Frag jemanden aus dem Serverteam.',
  bot_missing_permission:
    'Das kann ich hier nicht: Ich brauche in diesem Kanal **{permission, select, CreatePublicThreads {Öffentliche Threads erstellen und Nachrichten in Threads senden} other {{permission}}}**. Frag noch einmal ohne diese Option oder bitte das Serverteam, sie mir zu geben.',
  not_operator: 'Das ist nur für die Betreiber des Bots.',
  guild_only:
    'Ich antworte nur auf Servern: Fragen werden vom monatlichen Budget des Servers abgezogen, und eine Direktnachricht hat keins.',
  unknown_model: '`{model}` ist hier kein verfügbares Modell. Wähle eines davon: {models}.',
  model_unavailable:
    'Das Modell dieses Kanals, `{model}`, ist auf diesem Bot gerade nicht verfügbar. Das Serverteam kann mit `/modell festlegen` ein anderes wählen; verfügbare Modelle: {models}.',
  model_month_spent:
    '`{model}` hat sein Monatskontingent auf dem Mistral-Schlüssel dieses Bots aufgebraucht; nächsten Monat ist es wieder da. Nichts wurde gesendet oder abgerechnet.{others, select, none {} other { Andere Modelle funktionieren weiterhin: {others}; das Serverteam kann mit `/modell festlegen` wechseln.}}',
  budget_spent:
    'Dieser Server hat sein monatliches Token-Budget aufgebraucht: **{used, number} von {limit, number} Tokens**. Es wird am {resetsAt} zurückgesetzt. Ein Bot-Betreiber kann es mit `/budget festlegen` erhöhen.',
  budget_too_small:
    'Diese Frage braucht etwa {needed, number} Tokens, aber dieser Server hat nur noch {left, number} seiner {limit, number} monatlichen Tokens. {context, select, yes {Darin sind die früheren Runden dieses Gesprächs enthalten (`/vergessen` löscht sie in einem Thread);} other {Versuch es mit einer kürzeren Frage;}} das Budget wird am {resetsAt} zurückgesetzt.',
  budget_held:
    'Die letzten {left, number} der {limit, number} monatlichen Tokens dieses Servers sind durch Fragen belegt, die gerade beantwortet werden. Versuch es in einer Minute noch einmal; brauchen sie weniger, wird der Rest wieder frei. Das Budget wird am {resetsAt} zurückgesetzt.',
  member_budget_held:
    'Der Rest deines monatlichen Anteils ({left, number} von {limit, number} Tokens) ist durch deine Frage belegt, die gerade beantwortet wird. Frag noch einmal, wenn sie fertig ist.',
  member_budget_spent:
    'Du hast deinen Anteil am monatlichen Token-Budget dieses Servers aufgebraucht: **{used, number} von {limit, number} Tokens**. Er wird am {resetsAt} zurückgesetzt; andere hier können weiter fragen. Das Serverteam kann deinen Anteil mit `/budget mitglied` ändern.',
  member_budget_too_small:
    'Diese Frage braucht etwa {needed, number} Tokens, aber von deinem monatlichen Anteil von {limit, number} Tokens sind nur noch {left, number} übrig. Versuch es mit einer kürzeren Frage; dein Anteil wird am {resetsAt} zurückgesetzt.',
  cooldown: 'Bitte warte {seconds, plural, one {# Sekunde} other {# Sekunden}} bis zu deiner nächsten Frage.',
  busy: 'Ich bin gerade ausgelastet: {waiting, plural, one {# Frage wartet} other {# Fragen warten}} schon. Bitte versuch es in einer Minute noch einmal; nichts wurde gesendet oder abgerechnet.',
  guild_busy:
    'Ich bin gerade ausgelastet: Auf diesem Server {waiting, plural, one {wartet schon # Frage} other {warten schon # Fragen}}. Bitte versuch es in einer Minute noch einmal; nichts wurde gesendet oder abgerechnet.',
  member_busy:
    'Deine vorherige Frage wartet noch, bis sie dran ist; frag noch einmal, wenn sie beantwortet ist. Nichts wurde gesendet oder abgerechnet.',
  question_too_large:
    'Diese Frage braucht bis zu {tokens, number} Tokens, mehr als `{model}` pro Minute nutzen darf ({perMinute, number}). Bitte kürze sie. Nichts wurde gesendet oder abgerechnet.',
  waited_too_long:
    'Deine Frage hat zu lange in der Warteschlange gewartet und wurde nicht gesendet; nichts wurde abgerechnet. Bitte frag noch einmal.',
  restarting:
    'Ich starte gerade neu und nehme keine neuen Anfragen an; nichts wurde gesendet oder abgerechnet. Bitte versuch es in einer Minute noch einmal.',
  not_sent_restarting:
    'Ich starte gerade neu; deine Frage wurde nicht gesendet und nichts wurde abgerechnet. Bitte frag gleich noch einmal.',
  stopped_before_start: 'Gestoppt, bevor es an Mistral ging; nichts wurde abgerechnet.',
  store_unavailable:
    'Mein Speicher antwortet gerade nicht, daher kann ich das Budget dieses Servers nicht prüfen. Nichts wurde gesendet oder abgerechnet; bitte versuch es in ein paar Minuten noch einmal.',
  usage_unrecorded:
    'Ich konnte den Verbrauch der letzten Antworten noch nicht speichern, daher nehme ich keine neuen Fragen an, bis mein Speicher wieder funktioniert. Nichts wurde gesendet oder abgerechnet; bitte versuch es in ein paar Minuten noch einmal.',
  setting_not_saved:
    'Das konnte ich nicht speichern: Mein Speicher hat nicht geantwortet, und nichts wurde geändert. Bitte versuch es in ein paar Minuten noch einmal.',
  upstream_rate_limited:
    'Mistral drosselt diesen Bot gerade. Nichts wurde abgerechnet. Bitte versuch es in einer Minute noch einmal.',
  upstream_quota_exhausted:
    '`{model}` hat sein Monatskontingent auf dem Mistral-Schlüssel dieses Bots aufgebraucht; nächsten Monat ist es wieder da. Nichts wurde abgerechnet.{others, select, none {} other { Andere Modelle funktionieren weiterhin: {others}; das Serverteam kann mit `/modell festlegen` wechseln.}}',
  upstream_model_unavailable:
    '`{model}` ist im Mistral-Tarif dieses Bots nicht verfügbar. Nichts wurde abgerechnet.{others, select, none {} other { Andere Modelle funktionieren weiterhin: {others}; das Serverteam kann mit `/modell festlegen` wechseln.}}',
  upstream_server_error:
    'Mistral hat gerade Probleme beim Antworten (Serverfehler). Nichts wurde abgerechnet. Bitte versuch es später noch einmal.',
  upstream_network:
    'Ich konnte Mistral nicht erreichen. Nichts wurde abgerechnet. Bitte versuch es später noch einmal.',
  upstream_malformed:
    'Mistral hat eine Antwort geschickt, die ich nicht lesen konnte. Nichts wurde abgerechnet. Bitte versuch es später noch einmal.',
  upstream_timed_out:
    'Mistral hat nicht rechtzeitig geantwortet. Nichts wurde abgerechnet. Bitte versuch es noch einmal, vielleicht mit einer kürzeren Frage.',
  upstream_bad_request:
    'Mistral hat diese Anfrage abgelehnt. Nichts wurde abgerechnet. Versuch, deine Frage umzuformulieren oder zu kürzen.',
  upstream_unknown_model:
    'Mistral kennt das Modell `{model}` nicht. Nichts wurde abgerechnet. Das Serverteam kann mit `/modell festlegen` ein anderes wählen.',
  upstream_unauthorized:
    'Der Mistral-Schlüssel des Bots wurde abgelehnt; der Betreiber muss das beheben. Nichts wurde abgerechnet.',
  system_prompt_blank:
    'Der Systemprompt ist leer. Um zum Standard zurückzukehren, nutze `/system-prompt zurücksetzen`.',
  system_prompt_too_long:
    'Dieser Systemprompt hat {length, number} Zeichen; erlaubt sind {limit, number} (er wird mit jeder Frage gesendet und zählt zum Budget des Servers). Bitte kürze ihn.',
  thread_needs_text_channel:
    'Einen Thread aus einer Antwort kann ich nur in einem Text- oder Ankündigungskanal öffnen. Frag noch einmal ohne `thread`.',
  unknown_command: 'Diesen Befehl kenne ich nicht mehr; er verschwindet bald.',
  failed:
    'Bei mir ist etwas schiefgelaufen; es wurde als `{ref}` protokolliert. Bitte versuch es später noch einmal.',
  with_ref: '{text} (Ref. `{ref}`)',

  forget_outside_thread:
    'Nur Threads merken sich frühere Fragen, hier gibt es also nichts zu vergessen. Jedes `/fragen` in einem Kanal beginnt neu; nutze `/vergessen` in einem Thread.',
  forgotten:
    '{turns, plural, =0 {Dieser Thread hatte nichts gespeichert.} one {Vergessen: # frühere Frage mit Antwort.} other {Vergessen: # frühere Fragen mit Antworten.}} Das nächste `/fragen` hier beginnt neu.',

  model_show:
    'Dieser Kanal nutzt `{model}`{unavailable, select, yes { (auf diesem Bot gerade nicht verfügbar)} other {}}.',
  model_list:
    'Verfügbare Modelle: {models}.\nDieser Kanal nutzt `{model}`{unavailable, select, yes { (gerade nicht verfügbar; wähle ein anderes)} other {}}; Standard ist `{default}`.',
  model_set: 'Dieser Kanal nutzt jetzt `{model}`.',

  system_prompt_set:
    'Systemprompt für diesen Kanal gesetzt{thread, select, yes { (nur dieser Thread)} other { und seine Threads}}. Er geht hier mit jeder Frage mit: jedes Mal etwa {tokens, number} Tokens.',
  system_prompt_cleared:
    'Systemprompt gelöscht. Dieser Kanal nutzt jetzt {source, select, parent {den Prompt seines übergeordneten Kanals} other {den Standardprompt}}.',
  system_prompt_show:
    '{source, select, channel {Der eigene Systemprompt dieses Kanals:} parent {Dieser Thread folgt dem Systemprompt von <#{parent}>:} other {Dieser Kanal nutzt den Standard-Systemprompt (`/system-prompt festlegen` ersetzt ihn):}}',

  usage_title: '**Mistral-Nutzung für {guild} — {month} (UTC)**',
  usage_used:
    '**{used, number}** von {limit, number} Tokens verbraucht{limited, select, yes { ({share, number, ::percent .0})} other {}}; **{left, number}** übrig. Wird am {resetsAt} zurückgesetzt.',
  usage_split:
    'Prompt {prompt, number} · Antwort {completion, number} · {requests, plural, one {# Anfrage} other {# Anfragen}}',
  usage_reserved: '({reserved, number} Tokens sind durch laufende Fragen belegt.)',
  usage_near_share: 'Mitglieder nahe an oder über ihrem Anteil: {members}.',
  usage_share_of: '{share, number, ::percent} des Anteils',
  usage_by_model: '**Nach Modell**',
  usage_model_line:
    '• `{model}`: {total, number} (Prompt {prompt, number} · Antwort {completion, number}) · {requests, number} Anfr.',
  usage_top_members: '**Aktivste Mitglieder**',
  usage_member_line:
    '• {user}: {total, number} · {requests, number} Anfr.{capped, select, yes { · {share, number, ::percent} von {cap, number}} other {}}',
  usage_more_members: '…und {count, number} weitere.',
  usage_none: 'Diesen Monat wurden noch keine Fragen gestellt.',
  usage_shortened: '…(Liste gekürzt)',

  alert_budget_near:
    '**Budget-Warnung:** Dieser Server hat **{share, number, ::percent}** seines Mistral-Token-Budgets für {month} verbraucht ({used, number} von {limit, number} Tokens). Es wird am {resetsAt} zurückgesetzt. Details: `/verbrauch`.',
  alert_budget_spent:
    '**Budget-Warnung:** Dieser Server hat sein Mistral-Token-Budget für {month} aufgebraucht ({used, number} von {limit, number} Tokens). Fragen werden abgelehnt, bis es am {resetsAt} zurückgesetzt wird; ein Bot-Betreiber kann das Budget mit `/budget festlegen` erhöhen.',
  alert_key:
    '**Schlüssel-Warnung:** `{model}` hat im {month} {used, number} Tokens{limited, select, yes { seines monatlichen Limits von {limit, number} Tokens ({share, number, ::percent})} other {}} auf dem Mistral-Schlüssel dieses Bots verbraucht und damit die Warnschwelle überschritten ({kind, select, tokens {{tokens, number} Tokens} other {{percent, number, ::percent}}}, `KEY_MONTHLY_TOKEN_ALERT`).',
  alerts_off:
    'Budget-Warnungen: aus. Wähle mit `/verbrauch alarm-kanal:` einen Kanal, um bei 80 % und 100 % benachrichtigt zu werden.',
  alerts_on:
    'Budget-Warnungen: bei 80 % und 100 % in {channel} (`/verbrauch alarme:aus` stoppt sie).{sent, select, none {} other { Diesen Monat: {sent}.}}',
  alert_sent: '{threshold, number, ::percent} gesendet{when}',
  alert_not_posted:
    '{threshold, number, ::percent} konnte{when} nicht gepostet werden; prüfe dort meine Berechtigungen',
  alerts_set: '✅ Budget-Warnungen werden in {channel} gepostet.',
  alerts_stopped: '✅ Budget-Warnungen sind aus.',
  alerts_both: 'Wähle entweder `alarm-kanal:` oder `alarme:aus`, nicht beides.',
  alerts_foreign_channel:
    'Dieser Kanal gehört nicht zu diesem Server. Wähle einen der Textkanäle dieses Servers.',
  chart_description:
    'Balkendiagramm: Tokens pro Tag im {month}, nach Modell gestapelt. Die Zahlen stehen in der Nachricht.',
  chart_title: 'Tokens pro Tag, {month} (UTC)',
  chart_empty: 'Diesen Monat noch kein Verbrauch',

  budget_guild_id: 'Gib eine Server-ID an: 17–20 Ziffern (Rechtsklick auf den Server → Server-ID kopieren).',
  budget_member_both: 'Gib entweder `tokens:` oder `zurücksetzen:` an, nicht beides.',
  budget_show:
    '{verb, select, set {Budget gesetzt. } clear {Ausnahme entfernt. } other {}}Server `{guild}`: **{limit, number} Tokens/Monat** ({source, select, override {von einem Betreiber festgelegt} other {der Standard, `GUILD_MONTHLY_TOKEN_BUDGET`}}). Verbraucht {used, number}, übrig {left, number}; wird am {resetsAt} zurückgesetzt.',
  budget_member_show:
    '{verb, select, set {Mitgliederlimit gesetzt. } cleared {Mitgliederlimit entfernt. } other {}}{user} darf **{limit, number} Tokens/Monat** der {guildLimit, number} dieses Servers nutzen ({source, select, override {vom Serverteam festgelegt} other {der Standardanteil, `MEMBER_MONTHLY_TOKEN_SHARE`}}). Verbraucht {used, number}, übrig {left, number}; wird am {resetsAt} zurückgesetzt.',

  modal_ask_title: 'Mistral zu dieser Nachricht fragen',
  modal_ask_question: 'Deine Frage',
  modal_ask_visibility: 'Wer die Antwort sieht',
  modal_ask_everyone: 'Alle im Kanal',
  modal_ask_only_me: 'Nur ich',
  ask_about_expired:
    'Das hat zu lange gedauert, und ich habe die Nachricht nicht mehr. Wähle dort noch einmal „Mistral fragen“.',

  cmd_ask: 'Stell dem Mistral-Modell dieses Kanals eine Frage',
  cmd_ask_prompt: 'Deine Frage',
  cmd_ask_attachment: 'Ein Bild, eine Textdatei oder ein PDF, um das es in deiner Frage geht',
  cmd_ask_thread: 'Öffne aus der Antwort einen Thread, um das Gespräch dort fortzusetzen',
  cmd_ask_private: 'Nur du siehst die Antwort',
  cmd_model: 'Zeige oder wähle das Mistral-Modell dieses Kanals',
  cmd_model_set: 'Wähle das Modell dieses Kanals (Kanäle verwalten)',
  cmd_model_set_model: 'Modellname',
  cmd_model_show: 'Zeige das Modell dieses Kanals',
  cmd_model_list: 'Liste die verfügbaren Modelle auf',
  cmd_system_prompt: 'Setze, zeige oder lösche den Systemprompt dieses Kanals (Kanäle verwalten)',
  cmd_system_prompt_set: 'Sag dem Modell, wie es in diesem Kanal antworten soll (Threads folgen ihrem Kanal)',
  cmd_system_prompt_set_text: 'Die Anweisungen, bis zu 1.500 Zeichen',
  cmd_system_prompt_show: 'Zeige den Systemprompt dieses Kanals',
  cmd_system_prompt_clear: 'Kehre zum Standard-Systemprompt zurück',
  cmd_usage: 'Der Mistral-Token-Verbrauch dieses Servers in diesem Monat (privat)',
  cmd_usage_alerts_channel: 'Poste Budget-Warnungen (bei 80 % und 100 % des Monatsbudgets) in diesem Kanal',
  cmd_usage_alerts: 'Poste keine Budget-Warnungen mehr',
  cmd_budget: 'Server-Budgets (Betreiber) und Mitgliederlimits (Server verwalten)',
  cmd_budget_guild: 'Server-ID (standardmäßig dieser Server)',
  cmd_budget_tokens: 'Tokens pro Kalendermonat (UTC)',
  cmd_budget_set: 'Überschreibe das monatliche Token-Budget eines Servers (Bot-Betreiber)',
  cmd_budget_clear: 'Setze einen Server auf das Standardbudget zurück (Bot-Betreiber)',
  cmd_budget_show: 'Zeige das Budget eines Servers und seinen Verbrauch (Bot-Betreiber)',
  cmd_budget_member: 'Zeige, setze oder lösche das Monatslimit eines Mitglieds hier (Server verwalten)',
  cmd_budget_member_user: 'Das Mitglied',
  cmd_budget_member_clear: 'Setze das Mitglied auf den Standardanteil zurück',
  ctx_ask: 'Mistral fragen',
  ctx_summarize: 'Zusammenfassen',
  ctx_explain: 'Erklären',
  ctx_translate: 'In meine Sprache übersetzen',
  cmd_forget: 'Lösche das Gesprächsgedächtnis dieses Threads; das nächste /fragen hier beginnt neu',

  waiting:
    '⏳ Ich warte, bis ich bei Mistral dran bin: Du bist auf Platz **{position, number}** der Warteschlange (etwa {eta, select, minutes {{minutes, number} Min.} other {{seconds, number} s}}).',
  waiting_stalled:
    '⏳ Ich warte, bis ich bei Mistral dran bin: Du bist auf Platz **{position, number}** der Warteschlange. Die gemeinsame Warteschlange des Bots antwortet gerade nicht; deine Frage geht los, sobald sie wieder da ist.',
  thinking: '💭 Denke nach… ({seconds, number} s)',

  answer_empty: '(Das Modell hat eine leere Antwort geliefert.)',
  answer_cut_off:
    '-# ⚠️ Die Antwort wurde abgeschnitten: {why, select, timed_out {Mistral hat aufgehört zu senden} other {die Verbindung zu Mistral ist abgebrochen, bevor die Antwort fertig war}}.',
  answer_length: '-# (Gekürzt: Die Antwort hat ihre Längengrenze erreicht.)',
  answer_stopped: '-# ⏹️ Gestoppt.',
  answer_footer:
    '-# {model} · {estimated, select, yes {~} other {}}{tokens, number} Tokens{turns, plural, =0 {} one { · # frühere Runde gemerkt} other { · # frühere Runden gemerkt}}{thought, select, none {} other { · {thought} s nachgedacht}}',
  thread_not_opened:
    'Ich habe geantwortet, aber Discord hat mich hier keinen Thread aus der Antwort öffnen lassen.',
  thread_name_default: 'Unterhaltung',

  button_stop: 'Stopp',
  button_regenerate: 'Neu generieren',
  button_reasoning: 'Gedankengang zeigen',
  regenerated_note: '-# 🔁 Erneut gefragt von {user}.',
  reasoning_header: 'So hat `{model}` vor der Antwort überlegt:',
  reasoning_in_file: 'So hat `{model}` vor der Antwort überlegt (als Anhang, weil es lang ist).',
  button_not_yours: 'Das kann nur das Mitglied, das gefragt hat, oder jemand mit **Nachrichten verwalten**.',
  answer_not_running:
    'Diese Antwort wird nicht mehr geschrieben (sie ist fertig, oder der Bot wurde neu gestartet).',
  answer_forgotten:
    'Diese Frage habe ich nicht mehr (Antworten lassen sich {days, plural, one {# Tag} other {# Tage}} lang neu generieren). Frag stattdessen noch einmal.',
  no_reasoning: 'Diese Antwort hat keinen Gedankengang, den ich zeigen könnte.',

  // Attachments, vision and reasoning models.
  attachment_too_many_images:
    'Du hast {count, number} Bilder angehängt; Mistral liest höchstens {max, number} pro Frage. Frag zu weniger Bildern auf einmal. Nichts wurde gesendet oder abgerechnet.',
  attachment_too_large:
    '`{name}` ist {mb, number} MB groß; ich nehme Dateien bis höchstens {max, number} MB. Häng eine kleinere Kopie an. Nichts wurde gesendet oder abgerechnet.',
  attachment_text_too_long:
    '`{name}`{others, plural, =0 { kommt} one { und # weitere Datei kommen} other { und # weitere Dateien kommen}} auf {exact, select, yes {etwa} other {mindestens}} {tokens, number} Tokens; die Dateien einer Frage dürfen höchstens {limit, number} hinzufügen (`MAX_ATTACHMENT_TOKENS`). Häng eine kürzere Datei an oder füge den Teil ein, den du brauchst. Nichts wurde gesendet oder abgerechnet.',
  attachment_not_readable:
    '{kind, select, image {`{name}` ist {format, select, none {kein Bild, das ich lesen kann} other {ein {format}-Bild}}: Mistral liest PNG-, JPEG-, WEBP- und nicht animierte GIF-Bilder. Wandle es um und häng es noch einmal an.} pdf {`{name}` heißt wie ein PDF, ist aber keins, das ich lesen kann.} other {`{name}` ist keine Datei, die ich lesen kann{format, select, none {} other { (Format: {format})}}: Ich nehme Bilder (PNG, JPEG, WEBP, nicht animiertes GIF), UTF-8-Textdateien und PDFs.}} Nichts wurde gesendet oder abgerechnet.',
  attachment_animated:
    '`{name}` ist animiert; Mistral liest nur Einzelbilder. Häng ein Standbild an (einen Screenshot des Bildes, das du meinst). Nichts wurde gesendet oder abgerechnet.',
  attachment_unavailable:
    'Ich konnte `{name}` nicht von Discord herunterladen{why, select, expired { (der Link ist abgelaufen: Häng die Datei noch einmal an)} timeout { (es hat zu lange gedauert)} other {}}. Nichts wurde gesendet oder abgerechnet.',
  vision_not_supported:
    'Das Modell dieses Kanals, `{model}`, kann keine Bilder lesen.{models, select, none { Kein hier angebotenes Modell kann das; ein Bot-Betreiber kann `VISION_MODEL` setzen.} other { Das Serverteam kann mit `/modell festlegen` zu einem wechseln, das es kann: {models}.}} Nichts wurde gesendet oder abgerechnet.',
  documents_not_supported:
    'Das Modell dieses Kanals, `{model}`, kann keine PDFs lesen.{models, select, none { Kein hier angebotenes Modell kann das; ein Bot-Betreiber kann die Modelle, die es können, in `DOCUMENT_MODELS` eintragen.} other { Das Serverteam kann mit `/modell festlegen` zu einem wechseln, das es kann: {models}.}} Nichts wurde gesendet oder abgerechnet.',
  capabilities_unknown:
    'Ich weiß noch nicht, welche Modelle {what, select, images {Bilder lesen können} documents {PDFs lesen können} other {Reasoning-Modelle sind und mit welchem Denkaufwand}}: Mistrals Modellliste hat nicht geantwortet. Bitte versuch es in ein paar Minuten noch einmal. Nichts wurde gesendet oder abgerechnet.',
  reasoning_effort_refused:
    'Mistral hat den Denkaufwand `{effort}` abgelehnt, den dieser Kanal mit `{model}` nutzt{efforts, select, none {: Dieses Modell kennt keinen} other {; es kennt {efforts}}}. Das Serverteam kann ihn mit `/modell festlegen` ändern. Nichts wurde abgerechnet.',
  reasoning_not_supported:
    '`{model}` ist kein Reasoning-Modell und hat daher keine Option `reasoning`.{models, select, none {} other { Reasoning-Modelle: {models}.}}',
  reasoning_effort_not_offered:
    '`{model}` kennt die Denkaufwand-Stufen {efforts} (oder `default`, seine eigene), nicht `{effort}`.',
  model_set_reasoning: 'Dieser Kanal nutzt jetzt `{model}` mit Denkaufwand `{effort}`.',
  model_set_effort_cleared:
    'Dieser Kanal nutzt jetzt `{model}`. Sein Denkaufwand `{effort}` gilt für dieses Modell nicht und wurde daher entfernt.',
  model_show_reasoning: 'Denkaufwand: `{effort}`.',
  model_list_legend:
    '🖼️ liest Bilder · 📄 liest PDFs · 💭 denkt nach (`/modell festlegen` mit `nachdenken:`)',
  reasoning_choice_default: 'Standard (der des Modells)',
  cmd_model_set_reasoning:
    'Wie viel ein Reasoning-Modell vorher nachdenkt (seine Stufen; default = seine eigene)',
} satisfies Record<MessageCode, string>;
