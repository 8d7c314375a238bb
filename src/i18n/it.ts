import type { MessageCode } from './en.ts';

/**
 * Italian texts, one for every code of the English source (en.ts), same placeholders, plurals and
 * selects. Members are addressed with "tu", as Discord's own Italian interface does; "chi
 * gestisce il server/canale" stands for the members with the managing permission. Permission
 * names are the ones Discord's Italian client shows. Menu items are imperatives ("Riassumi").
 */
export const it = {
  blank_prompt: 'La tua domanda è vuota. Scrivi la domanda dopo `domanda:`.',
  prompt_too_long:
    'La tua domanda è di {length, number} caratteri; il limite è {limit, number}. Accorciala, per favore.',
  missing_permission:
    'Qui serve il permesso **{permission, select, ManageChannels {Gestire i canali} ManageGuild {Gestire il server} ManageMessages {Gestire i messaggi} other {{permission}}}**. Chiedi a chi gestisce il server.',
  bot_missing_permission:
    'Qui non posso farlo: mi serve **{permission, select, CreatePublicThreads {Creare thread pubblici e Inviare messaggi nei thread} other {{permission}}}** in questo canale. Chiedi di nuovo senza quell’opzione, oppure chiedi a chi gestisce il server di concedermelo.',
  not_operator: 'Questo è riservato agli operatori del bot.',
  guild_only:
    'Rispondo solo all’interno di un server: le domande vengono scalate dal budget mensile del server, e un messaggio diretto non ne ha uno.',
  unknown_model: '`{model}` non è un modello che puoi usare qui. Scegline uno tra: {models}.',
  model_unavailable:
    'Il modello di questo canale, `{model}`, al momento non è disponibile su questo bot. Chi gestisce il canale può sceglierne un altro con `/modello imposta`; modelli utilizzabili: {models}.',
  model_month_spent:
    '`{model}` ha esaurito la sua quota mensile sulla chiave Mistral di questo bot; tornerà il mese prossimo. Non è stato inviato né addebitato nulla.{others, select, none {} other { Gli altri modelli funzionano ancora: {others}; chi gestisce il canale può cambiarlo con `/modello imposta`.}}',
  budget_spent:
    'Questo server ha esaurito il suo budget mensile di token: **{used, number} su {limit, number} token**. Si azzera {resetsAt}. Un operatore del bot può aumentarlo con `/budget imposta`.',
  budget_too_small:
    'Questa domanda richiede circa {needed, number} token, ma a questo server restano solo {left, number} dei suoi {limit, number} token mensili. {context, select, yes {Sono inclusi i turni precedenti di questa conversazione (`/dimentica` li cancella in un thread);} other {Prova con una domanda più breve;}} il budget si azzera {resetsAt}.',
  budget_held:
    'Gli ultimi {left, number} dei {limit, number} token mensili di questo server sono riservati a domande a cui sto rispondendo proprio ora. Riprova tra un minuto; se ne serviranno meno, il resto torna disponibile. Il budget si azzera {resetsAt}.',
  member_budget_held:
    'Il resto della tua quota mensile ({left, number} su {limit, number} token) è riservato alla tua domanda, a cui sto rispondendo ora. Chiedi di nuovo quando ho finito.',
  member_budget_spent:
    'Hai esaurito la tua quota del budget mensile di token di questo server: **{used, number} su {limit, number} token**. Si azzera {resetsAt}; gli altri qui possono ancora fare domande. Chi gestisce il server può modificare la tua quota con `/budget membro`.',
  member_budget_too_small:
    'Questa domanda richiede circa {needed, number} token, ma della tua quota mensile di {limit, number} token ne restano solo {left, number}. Prova con una domanda più breve; la tua quota si azzera {resetsAt}.',
  cooldown:
    'Aspetta {seconds, plural, one {# secondo} many {# di secondi} other {# secondi}} prima della prossima domanda, per favore.',
  busy: 'Sono occupato: {waiting, plural, one {c’è già # domanda} many {ci sono già # di domande} other {ci sono già # domande}} in attesa. Riprova tra un minuto; non è stato inviato né addebitato nulla.',
  guild_busy:
    'Sono occupato: questo server ha già {waiting, plural, one {# domanda} many {# di domande} other {# domande}} in attesa. Riprova tra un minuto; non è stato inviato né addebitato nulla.',
  member_busy:
    'La tua domanda precedente sta ancora aspettando il suo turno; chiedi di nuovo quando avrà ricevuto risposta. Non è stato inviato né addebitato nulla.',
  question_too_large:
    'Questa domanda richiede fino a {tokens, number} token, più di quanti `{model}` ne possa usare in un minuto ({perMinute, number}). Accorciala, per favore. Non è stato inviato né addebitato nulla.',
  waited_too_long:
    'La tua domanda ha aspettato troppo in coda e non è stata inviata; non è stato addebitato nulla. Chiedi di nuovo, per favore.',
  restarting:
    'Mi sto riavviando e al momento non accetto nuove richieste; non è stato inviato né addebitato nulla. Riprova tra un minuto.',
  not_sent_restarting:
    'Mi sto riavviando; la tua domanda non è stata inviata e non è stato addebitato nulla. Chiedi di nuovo tra un momento.',
  stopped_before_start: 'Fermato prima dell’invio a Mistral; non è stato addebitato nulla.',
  store_unavailable:
    'Il mio archivio al momento non risponde, quindi non posso controllare il budget di questo server. Non è stato inviato né addebitato nulla; riprova tra qualche minuto.',
  usage_unrecorded:
    'Non sono ancora riuscito a registrare il consumo delle ultime risposte, quindi non accetto nuove domande finché il mio archivio non funziona di nuovo. Non è stato inviato né addebitato nulla; riprova tra qualche minuto.',
  setting_not_saved:
    'Non sono riuscito a salvarlo: il mio archivio non ha risposto e non è cambiato nulla. Riprova tra qualche minuto.',
  upstream_rate_limited:
    'Mistral sta limitando le richieste di questo bot in questo momento. Non è stato addebitato nulla. Riprova tra un minuto.',
  upstream_quota_exhausted:
    '`{model}` ha esaurito la sua quota mensile sulla chiave Mistral di questo bot; tornerà il mese prossimo. Non è stato addebitato nulla.{others, select, none {} other { Gli altri modelli funzionano ancora: {others}; chi gestisce il canale può cambiarlo con `/modello imposta`.}}',
  upstream_model_unavailable:
    '`{model}` non è disponibile nel piano Mistral di questo bot. Non è stato addebitato nulla.{others, select, none {} other { Gli altri modelli funzionano ancora: {others}; chi gestisce il canale può cambiarlo con `/modello imposta`.}}',
  upstream_server_error:
    'Mistral ha problemi a rispondere (errore del server). Non è stato addebitato nulla. Riprova più tardi.',
  upstream_network:
    'Non sono riuscito a raggiungere Mistral. Non è stato addebitato nulla. Riprova più tardi.',
  upstream_malformed:
    'Mistral ha inviato una risposta che non sono riuscito a leggere. Non è stato addebitato nulla. Riprova più tardi.',
  upstream_timed_out:
    'Mistral non ha risposto in tempo. Non è stato addebitato nulla. Riprova, magari con una domanda più breve.',
  upstream_bad_request:
    'Mistral ha rifiutato questa richiesta. Non è stato addebitato nulla. Prova a riformulare o ad accorciare la domanda.',
  upstream_unknown_model:
    'Mistral non conosce il modello `{model}`. Non è stato addebitato nulla. Chi gestisce il canale può sceglierne un altro con `/modello imposta`.',
  upstream_unauthorized:
    'La chiave Mistral del bot è stata rifiutata; l’operatore deve sistemarla. Non è stato addebitato nulla.',
  system_prompt_blank:
    'Il prompt di sistema è vuoto. Per tornare a quello predefinito, usa `/prompt-di-sistema cancella`.',
  system_prompt_too_long:
    'Quel prompt di sistema è di {length, number} caratteri; il limite è {limit, number} (viene inviato con ogni domanda e conta nel budget del server). Accorcialo, per favore.',
  thread_needs_text_channel:
    'Posso aprire un thread da una risposta solo in un canale testuale o di annunci. Chiedi di nuovo senza `thread`.',
  unknown_command: 'Non conosco più questo comando; sparirà a breve.',
  failed: 'Qualcosa è andato storto da parte mia; è stato registrato come `{ref}`. Riprova più tardi.',
  with_ref: '{text} (rif. `{ref}`)',

  forget_outside_thread:
    'Solo i thread ricordano le domande precedenti, quindi qui non c’è niente da dimenticare. Ogni `/chiedi` in un canale riparte da zero; usa `/dimentica` dentro un thread.',
  forgotten:
    '{turns, plural, =0 {Questo thread non aveva niente da ricordare.} one {Dimenticata: # domanda precedente con la sua risposta.} many {Dimenticate: # di domande precedenti con le loro risposte.} other {Dimenticate: # domande precedenti con le loro risposte.}} Il prossimo `/chiedi` qui riparte da zero.',

  model_show:
    'Questo canale usa `{model}`{unavailable, select, yes { (al momento non disponibile su questo bot)} other {}}.',
  model_list:
    'Modelli che puoi usare: {models}.\nQuesto canale usa `{model}`{unavailable, select, yes { (al momento non disponibile; scegline un altro)} other {}}; quello predefinito è `{default}`.',
  model_set: 'Ora questo canale usa `{model}`.',

  system_prompt_set:
    'Prompt di sistema impostato per questo canale{thread, select, yes { (solo questo thread)} other { e i suoi thread}}. Accompagna ogni domanda qui: circa {tokens, number} token ogni volta.',
  system_prompt_cleared:
    'Prompt di sistema cancellato. Ora questo canale usa {source, select, parent {il prompt del suo canale principale} other {il prompt predefinito}}.',
  system_prompt_show:
    '{source, select, channel {Il prompt di sistema di questo canale:} parent {Questo thread segue il prompt di sistema di <#{parent}>:} other {Questo canale usa il prompt di sistema predefinito (`/prompt-di-sistema imposta` lo sostituisce):}}',

  usage_title: '**Utilizzo di Mistral per {guild} — {month} (UTC)**',
  usage_used:
    'Usati **{used, number}** su {limit, number} token{limited, select, yes { ({share, number, ::percent .0})} other {}}; ne restano **{left, number}**. Si azzera {resetsAt}.',
  usage_split:
    'Prompt {prompt, number} · risposta {completion, number} · {requests, plural, one {# richiesta} many {# di richieste} other {# richieste}}',
  usage_reserved: '({reserved, number} token riservati a domande in corso.)',
  usage_near_share: 'Membri vicini alla propria quota o oltre: {members}.',
  usage_share_of: '{share, number, ::percent} della quota',
  usage_by_model: '**Per modello**',
  usage_model_line:
    '• `{model}`: {total, number} (prompt {prompt, number} · risposta {completion, number}) · {requests, number} rich.',
  usage_top_members: '**Membri più attivi**',
  usage_member_line:
    '• {user}: {total, number} · {requests, number} rich.{capped, select, yes { · {share, number, ::percent} di {cap, number}} other {}}',
  usage_more_members: '…e altri {count, number}.',
  usage_none: 'Ancora nessuna domanda questo mese.',
  usage_shortened: '…(elenco accorciato)',

  alert_budget_near:
    '**Avviso budget:** questo server ha usato il **{share, number, ::percent}** del suo budget di token Mistral di {month} ({used, number} su {limit, number} token). Si azzera {resetsAt}. Dettagli: `/consumo`.',
  alert_budget_spent:
    '**Avviso budget:** questo server ha esaurito il suo budget di token Mistral di {month} ({used, number} su {limit, number} token). Le domande vengono rifiutate finché non si azzera {resetsAt}; un operatore del bot può aumentare il budget con `/budget imposta`.',
  alert_key:
    '**Avviso chiave:** `{model}` ha usato {used, number} token{limited, select, yes { del suo limite mensile di {limit, number} token ({share, number, ::percent})} other {}} sulla chiave Mistral di questo bot a {month}, oltre la soglia di avviso ({kind, select, tokens {{tokens, number} token} other {{percent, number, ::percent}}}, `KEY_MONTHLY_TOKEN_ALERT`).',
  alerts_off:
    'Avvisi di budget: disattivati. Scegli un canale con `/consumo canale-avvisi:` per essere avvisato all’80% e al 100%.',
  alerts_on:
    'Avvisi di budget: all’80% e al 100%, in {channel} (`/consumo avvisi:disattivati` li disattiva).{sent, select, none {} other { Questo mese: {sent}.}}',
  alert_sent: '{threshold, number, ::percent} inviato{when}',
  alert_not_posted:
    '{threshold, number, ::percent} non pubblicato{when}; controlla i miei permessi in quel canale',
  alerts_set: '✅ Gli avvisi di budget verranno pubblicati in {channel}.',
  alerts_stopped: '✅ Gli avvisi di budget sono disattivati.',
  alerts_both: 'Scegli `canale-avvisi:` oppure `avvisi:disattivati`, non entrambi.',
  alerts_foreign_channel:
    'Quel canale non è in questo server. Scegli uno dei canali testuali di questo server.',
  chart_description:
    'Grafico a barre: token al giorno a {month}, impilati per modello. I numeri sono nel messaggio.',
  chart_title: 'Token al giorno, {month} (UTC)',
  chart_empty: 'Ancora nessun consumo questo mese',

  budget_guild_id: 'Indica un ID server: da 17 a 20 cifre (clic destro sul server → Copia ID server).',
  budget_member_both: 'Indica `token:` oppure `cancella:`, non entrambi.',
  budget_show:
    '{verb, select, set {Budget impostato. } clear {Eccezione rimossa. } other {}}Server `{guild}`: **{limit, number} token/mese** ({source, select, override {impostato da un operatore} other {il predefinito, `GUILD_MONTHLY_TOKEN_BUDGET`}}). Usati {used, number}, restano {left, number}; si azzera {resetsAt}.',
  budget_member_show:
    '{verb, select, set {Limite del membro impostato. } cleared {Limite del membro rimosso. } other {}}{user} può usare **{limit, number} token/mese** dei {guildLimit, number} di questo server ({source, select, override {impostato da chi gestisce il server} other {la quota predefinita, `MEMBER_MONTHLY_TOKEN_SHARE`}}). Usati {used, number}, restano {left, number}; si azzera {resetsAt}.',

  modal_ask_title: 'Chiedi a Mistral di questo messaggio',
  modal_ask_question: 'La tua domanda',
  modal_ask_visibility: 'Chi vede la risposta',
  modal_ask_everyone: 'Tutti nel canale',
  modal_ask_only_me: 'Solo io',
  ask_about_expired:
    'Ci è voluto troppo e non ho più il messaggio. Scegli di nuovo “Chiedi a Mistral” su quel messaggio.',

  cmd_ask: 'Fai una domanda al modello Mistral di questo canale',
  cmd_ask_prompt: 'La tua domanda',
  cmd_ask_attachment: 'Un’immagine, un file di testo o un PDF su cui fare la domanda',
  cmd_ask_thread: 'Apri un thread dalla risposta per continuare lì la conversazione',
  cmd_ask_private: 'Solo tu vedi la risposta',
  cmd_model: 'Mostra o scegli il modello Mistral usato da questo canale',
  cmd_model_set: 'Scegli il modello di questo canale (Gestire i canali)',
  cmd_model_set_model: 'Nome del modello',
  cmd_model_show: 'Mostra il modello di questo canale',
  cmd_model_list: 'Elenca i modelli che puoi usare',
  cmd_system_prompt: 'Imposta, mostra o cancella il prompt di sistema di questo canale (Gestire i canali)',
  cmd_system_prompt_set: 'Di’ al modello come rispondere in questo canale (i thread seguono il loro canale)',
  cmd_system_prompt_set_text: 'Le istruzioni, fino a 1500 caratteri',
  cmd_system_prompt_show: 'Mostra il prompt di sistema di questo canale',
  cmd_system_prompt_clear: 'Torna al prompt di sistema predefinito',
  cmd_usage: 'Il consumo di token Mistral di questo server questo mese (privato)',
  cmd_usage_alerts_channel:
    'Pubblica in questo canale gli avvisi di budget (all’80% e al 100% del budget mensile)',
  cmd_usage_alerts: 'Smetti di pubblicare gli avvisi di budget',
  cmd_budget: 'Budget dei server (operatori) e limiti dei membri (Gestire il server)',
  cmd_budget_guild: 'ID del server (predefinito: questo server)',
  cmd_budget_tokens: 'Token per mese di calendario (UTC)',
  cmd_budget_set: 'Sostituisci il budget mensile di token di un server (operatori del bot)',
  cmd_budget_clear: 'Riporta un server al budget predefinito (operatori del bot)',
  cmd_budget_show: 'Mostra il budget di un server e quanto ha usato (operatori del bot)',
  cmd_budget_member: 'Mostra, imposta o cancella il limite mensile di un membro qui (Gestire il server)',
  cmd_budget_member_user: 'Il membro',
  cmd_budget_member_clear: 'Riporta il membro alla quota predefinita',
  ctx_ask: 'Chiedi a Mistral',
  ctx_summarize: 'Riassumi',
  ctx_explain: 'Spiega',
  ctx_translate: 'Traduci nella mia lingua',
  cmd_forget:
    'Cancella la memoria della conversazione di questo thread; il prossimo /chiedi qui riparte da zero',

  waiting:
    '⏳ Aspetto il mio turno con Mistral: sei in posizione **{position, number}** nella coda (circa {eta, select, minutes {{minutes, number} min} other {{seconds, number} s}}).',
  waiting_stalled:
    '⏳ Aspetto il mio turno con Mistral: sei in posizione **{position, number}** nella coda. La coda condivisa del bot al momento non risponde; la tua domanda partirà appena torna disponibile.',
  thinking: '💭 Sto pensando… ({seconds, number} s)',

  answer_empty: '(Il modello ha restituito una risposta vuota.)',
  answer_cut_off:
    '-# ⚠️ La risposta è stata interrotta: {why, select, timed_out {Mistral ha smesso di inviare} other {la connessione con Mistral si è interrotta prima che la risposta fosse completa}}.',
  answer_length: '-# (Troncata: la risposta ha raggiunto il limite di lunghezza.)',
  answer_stopped: '-# ⏹️ Fermata.',
  answer_footer:
    '-# {model} · {estimated, select, yes {~} other {}}{tokens, number} token{turns, plural, =0 {} one { · # turno precedente ricordato} many { · # di turni precedenti ricordati} other { · # turni precedenti ricordati}}{thought, select, none {} other { · ha pensato per {thought} s}}',
  thread_not_opened: 'Ho risposto, ma qui Discord non mi ha permesso di aprire un thread dalla risposta.',
  thread_name_default: 'Conversazione',

  button_stop: 'Ferma',
  button_regenerate: 'Rigenera',
  button_reasoning: 'Mostra ragionamento',
  regenerated_note: '-# 🔁 Richiesto di nuovo da {user}.',
  reasoning_header: 'Come ha ragionato `{model}` prima di rispondere:',
  reasoning_in_file: 'Come ha ragionato `{model}` prima di rispondere (in allegato: è lungo).',
  button_not_yours: 'Può farlo solo il membro che ha chiesto, o qualcuno con **Gestire i messaggi**.',
  answer_not_running: 'Questa risposta non è più in scrittura (è finita, oppure il bot si è riavviato).',
  answer_forgotten:
    'Non ho più questa domanda (le risposte si possono rigenerare per {days, plural, one {# giorno} many {# di giorni} other {# giorni}}). Chiedi di nuovo.',
  no_reasoning: 'Questa risposta non ha un ragionamento da mostrare.',

  // Attachments, vision and reasoning models.
  attachment_too_many_images:
    'Hai allegato {count, number} immagini; Mistral ne legge al massimo {max, number} per domanda. Chiedi su meno immagini alla volta. Non è stato inviato né addebitato nulla.',
  attachment_too_large:
    '`{name}` è di {mb, number} MB; accetto file di al massimo {max, number} MB. Allega una copia più piccola. Non è stato inviato né addebitato nulla.',
  attachment_text_too_long:
    '`{name}`{others, plural, =0 { arriva} one { e # altro file arrivano} many { e # di altri file arrivano} other { e altri # file arrivano}} a {exact, select, yes {circa} other {almeno}} {tokens, number} token; i file di una domanda possono aggiungerne al massimo {limit, number} (`MAX_ATTACHMENT_TOKENS`). Allega un file più breve o incolla la parte che ti serve. Non è stato inviato né addebitato nulla.',
  attachment_not_readable:
    '{kind, select, image {`{name}` {format, select, none {non è un’immagine che so leggere} other {è un’immagine {format}}}: Mistral legge immagini PNG, JPEG, WEBP e GIF non animate. Convertila e allegala di nuovo.} pdf {`{name}` ha il nome di un PDF, ma non è un PDF che so leggere.} other {`{name}` non è un file che so leggere{format, select, none {} other { (formato: {format})}}: accetto immagini (PNG, JPEG, WEBP, GIF non animate), file di testo UTF-8 e PDF.}} Non è stato inviato né addebitato nulla.',
  attachment_animated:
    '`{name}` è animato; Mistral legge solo immagini statiche. Allega un’immagine fissa (uno screenshot del fotogramma che ti interessa). Non è stato inviato né addebitato nulla.',
  attachment_unavailable:
    'Non sono riuscito a scaricare `{name}` da Discord{why, select, expired { (il link è scaduto: allega di nuovo il file)} timeout { (ci è voluto troppo)} other {}}. Non è stato inviato né addebitato nulla.',
  vision_not_supported:
    'Il modello di questo canale, `{model}`, non sa leggere le immagini.{models, select, none { Nessun modello offerto qui ci riesce; un operatore del bot può impostare `VISION_MODEL`.} other { Chi gestisce il canale può passare a uno che ci riesce con `/modello imposta`: {models}.}} Non è stato inviato né addebitato nulla.',
  documents_not_supported:
    'Il modello di questo canale, `{model}`, non sa leggere i PDF.{models, select, none { Nessun modello offerto qui ci riesce; un operatore del bot può indicare quelli che ci riescono in `DOCUMENT_MODELS`.} other { Chi gestisce il canale può passare a uno che ci riesce con `/modello imposta`: {models}.}} Non è stato inviato né addebitato nulla.',
  capabilities_unknown:
    'Non so ancora quali modelli {what, select, images {sanno leggere le immagini} documents {sanno leggere i PDF} other {ragionano, né come}}: l’elenco dei modelli di Mistral non ha risposto. Riprova tra qualche minuto. Non è stato inviato né addebitato nulla.',
  reasoning_effort_refused:
    'Mistral ha rifiutato lo sforzo di ragionamento `{effort}` che questo canale usa con `{model}`{efforts, select, none {: questo modello non ne accetta nessuno} other {; accetta {efforts}}}. Chi gestisce il canale può cambiarlo con `/modello imposta`. Non è stato addebitato nulla.',
  reasoning_not_supported:
    '`{model}` non ragiona, quindi non accetta l’opzione `reasoning`.{models, select, none {} other { Modelli che ragionano: {models}.}}',
  reasoning_effort_not_offered:
    '`{model}` accetta gli sforzi di ragionamento {efforts} (o `default`, il suo), non `{effort}`.',
  model_set_reasoning: 'Ora questo canale usa `{model}` con sforzo di ragionamento `{effort}`.',
  model_set_effort_cleared:
    'Ora questo canale usa `{model}`. Il suo sforzo di ragionamento `{effort}` non vale per questo modello, quindi è stato rimosso.',
  model_show_reasoning: 'Sforzo di ragionamento: `{effort}`.',
  model_list_legend: '🖼️ legge immagini · 📄 legge PDF · 💭 ragiona (`/modello imposta` con `ragionamento:`)',
  reasoning_choice_default: 'predefinito (quello del modello)',
  cmd_model_set_reasoning:
    'Quanto riflette prima un modello che ragiona (gli sforzi che accetta; default = il suo)',
} satisfies Record<MessageCode, string>;
