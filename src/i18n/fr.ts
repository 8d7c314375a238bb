import type { MessageCode } from './en.ts';

/**
 * French texts, one for every code of the English source (en.ts), same placeholders, plurals and
 * selects. Members are addressed with "tu", as Discord's own French interface does. French
 * typography puts a narrow no-break space (U+202F) before `;`, `:`, `!`, `?`, `%` and inside
 * « »; the texts carry it so Discord never wraps a line before the sign. Permission names are
 * the ones Discord's French client shows.
 */
export const fr = {
  blank_prompt: 'Ta question est vide. Écris ta question après `question:`.',
  prompt_too_long:
    'Ta question fait {length, number} caractères ; la limite est de {limit, number}. Raccourcis-la, s’il te plaît.',
  missing_permission:
    'Il faut ici la permission **{permission, select, ManageChannels {Gérer les salons} ManageGuild {Gérer le serveur} ManageMessages {Gérer les messages} other {{permission}}}**. Demande à un responsable du serveur.',
  bot_missing_permission:
    'Je ne peux pas faire ça ici : il me faut **{permission, select, CreatePublicThreads {Créer des fils publics et Envoyer des messages dans les fils} other {{permission}}}** dans ce salon. Redemande sans cette option, ou demande à un responsable de me l’accorder.',
  not_operator: 'Réservé aux opérateurs du bot.',
  guild_only:
    'Je ne réponds que sur un serveur : les questions sont décomptées du budget mensuel du serveur, et un message privé n’en a pas.',
  unknown_model: '`{model}` n’est pas un modèle utilisable ici. Choisis parmi : {models}.',
  model_unavailable:
    'Le modèle de ce salon, `{model}`, n’est pas disponible sur ce bot pour le moment. Un responsable peut en choisir un autre avec `/modèle définir` ; modèles utilisables : {models}.',
  model_month_spent:
    '`{model}` a épuisé son quota mensuel sur la clé Mistral de ce bot ; il revient le mois prochain. Rien n’a été envoyé ni décompté.{others, select, none {} other { Les autres modèles fonctionnent toujours : {others} ; un responsable peut changer avec `/modèle définir`.}}',
  budget_spent:
    'Ce serveur a utilisé son budget mensuel de tokens : **{used, number} sur {limit, number} tokens**. Il repart à zéro le {resetsAt}. Un opérateur du bot peut l’augmenter avec `/budget définir`.',
  budget_too_small:
    'Cette question demande environ {needed, number} tokens, mais il ne reste à ce serveur que {left, number} de ses {limit, number} tokens mensuels. {context, select, yes {Cela inclut les échanges précédents de cette conversation (`/oublier` les efface dans un fil) ;} other {Essaie une question plus courte ;}} le budget repart à zéro le {resetsAt}.',
  budget_held:
    'Les {left, number} derniers tokens mensuels de ce serveur (sur {limit, number}) sont réservés par des questions en cours de réponse. Réessaie dans une minute ; s’il en faut moins, le reste se libère. Le budget repart à zéro le {resetsAt}.',
  member_budget_held:
    'Le reste de ta part mensuelle ({left, number} sur {limit, number} tokens) est réservé par ta question en cours de réponse. Redemande quand elle sera terminée.',
  member_budget_spent:
    'Tu as utilisé ta part du budget mensuel de tokens de ce serveur : **{used, number} sur {limit, number} tokens**. Elle repart à zéro le {resetsAt} ; les autres membres peuvent encore poser des questions. Un responsable du serveur peut modifier ta part avec `/budget membre`.',
  member_budget_too_small:
    'Cette question demande environ {needed, number} tokens, mais il ne reste que {left, number} tokens de ta part mensuelle de {limit, number}. Essaie une question plus courte ; ta part repart à zéro le {resetsAt}.',
  cooldown:
    'Attends {seconds, plural, one {# seconde} many {# de secondes} other {# secondes}} avant ta prochaine question, s’il te plaît.',
  busy: 'Je suis occupé : {waiting, plural, one {# question est déjà en attente} many {# de questions sont déjà en attente} other {# questions sont déjà en attente}}. Réessaie dans une minute ; rien n’a été envoyé ni décompté.',
  guild_busy:
    'Je suis occupé : ce serveur a déjà {waiting, plural, one {# question} many {# de questions} other {# questions}} en attente. Réessaie dans une minute ; rien n’a été envoyé ni décompté.',
  member_busy:
    'Ta question précédente attend encore son tour ; redemande une fois qu’elle aura reçu sa réponse. Rien n’a été envoyé ni décompté.',
  question_too_large:
    'Cette question demande jusqu’à {tokens, number} tokens, plus que ce que `{model}` peut utiliser en une minute ({perMinute, number}). Raccourcis-la, s’il te plaît. Rien n’a été envoyé ni décompté.',
  waited_too_long:
    'Ta question a attendu trop longtemps dans la file et n’a pas été envoyée ; rien n’a été décompté. Pose-la à nouveau.',
  restarting:
    'Je redémarre et je n’accepte pas de nouvelles demandes pour le moment ; rien n’a été envoyé ni décompté. Réessaie dans une minute.',
  not_sent_restarting:
    'Je redémarre ; ta question n’a pas été envoyée et rien n’a été décompté. Repose-la dans un instant.',
  stopped_before_start: 'Arrêté avant l’envoi à Mistral ; rien n’a été décompté.',
  store_unavailable:
    'Mon stockage ne répond pas pour le moment, je ne peux donc pas vérifier le budget de ce serveur. Rien n’a été envoyé ni décompté ; réessaie dans quelques minutes.',
  usage_unrecorded:
    'Je n’ai pas encore pu enregistrer la consommation des dernières réponses, donc je n’accepte plus de nouvelles questions tant que mon stockage ne fonctionne pas à nouveau. Rien n’a été envoyé ni décompté ; réessaie dans quelques minutes.',
  setting_not_saved:
    'Je n’ai pas pu enregistrer ça : mon stockage n’a pas répondu, et rien n’a changé. Réessaie dans quelques minutes.',
  upstream_rate_limited:
    'Mistral limite le débit de ce bot en ce moment. Rien n’a été décompté. Réessaie dans une minute.',
  upstream_quota_exhausted:
    '`{model}` a épuisé son quota mensuel sur la clé Mistral de ce bot ; il revient le mois prochain. Rien n’a été décompté.{others, select, none {} other { Les autres modèles fonctionnent toujours : {others} ; un responsable peut changer avec `/modèle définir`.}}',
  upstream_model_unavailable:
    '`{model}` n’est pas disponible dans l’offre Mistral de ce bot. Rien n’a été décompté.{others, select, none {} other { Les autres modèles fonctionnent toujours : {others} ; un responsable peut changer avec `/modèle définir`.}}',
  upstream_server_error:
    'Mistral a du mal à répondre (erreur serveur). Rien n’a été décompté. Réessaie plus tard.',
  upstream_network: 'Je n’ai pas pu joindre Mistral. Rien n’a été décompté. Réessaie plus tard.',
  upstream_malformed:
    'Mistral a envoyé une réponse que je n’ai pas pu lire. Rien n’a été décompté. Réessaie plus tard.',
  upstream_timed_out:
    'Mistral n’a pas répondu à temps. Rien n’a été décompté. Réessaie, peut-être avec une question plus courte.',
  upstream_bad_request:
    'Mistral a refusé cette demande. Rien n’a été décompté. Essaie de reformuler ou de raccourcir ta question.',
  upstream_unknown_model:
    'Mistral ne connaît pas le modèle `{model}`. Rien n’a été décompté. Un responsable peut en choisir un autre avec `/modèle définir`.',
  upstream_unauthorized:
    'La clé Mistral du bot a été refusée ; l’opérateur doit la corriger. Rien n’a été décompté.',
  system_prompt_blank:
    'Le prompt système est vide. Pour revenir à celui par défaut, utilise `/prompt-système effacer`.',
  system_prompt_too_long:
    'Ce prompt système fait {length, number} caractères ; la limite est de {limit, number} (il est envoyé avec chaque question et compte dans le budget du serveur). Raccourcis-le, s’il te plaît.',
  thread_needs_text_channel:
    'Je ne peux ouvrir un fil depuis une réponse que dans un salon textuel ou d’annonces. Redemande sans `thread`.',
  unknown_command: 'Je ne connais plus cette commande ; elle va bientôt disparaître.',
  failed: 'Quelque chose s’est mal passé de mon côté ; c’est enregistré sous `{ref}`. Réessaie plus tard.',
  with_ref: '{text} (réf. `{ref}`)',

  forget_outside_thread:
    'Seuls les fils se souviennent des questions précédentes, il n’y a donc rien à oublier ici. Chaque `/demander` dans un salon repart de zéro ; utilise `/oublier` dans un fil.',
  forgotten:
    '{turns, plural, =0 {Ce fil n’avait rien en mémoire.} one {Oubliée : # question précédente et sa réponse.} many {Oubliées : # de questions précédentes et leurs réponses.} other {Oubliées : # questions précédentes et leurs réponses.}} Le prochain `/demander` ici repart de zéro.',

  model_show:
    'Ce salon utilise `{model}`{unavailable, select, yes { (indisponible sur ce bot pour le moment)} other {}}.',
  model_list:
    'Modèles utilisables : {models}.\nCe salon utilise `{model}`{unavailable, select, yes { (indisponible pour le moment ; choisis-en un autre)} other {}} ; le modèle par défaut est `{default}`.',
  model_set: 'Ce salon utilise désormais `{model}`.',

  system_prompt_set:
    'Prompt système défini pour ce salon{thread, select, yes { (ce fil uniquement)} other { et ses fils}}. Il accompagne chaque question ici : environ {tokens, number} tokens à chaque fois.',
  system_prompt_cleared:
    'Prompt système effacé. Ce salon utilise maintenant {source, select, parent {le prompt de son salon parent} other {le prompt par défaut}}.',
  system_prompt_show:
    '{source, select, channel {Le prompt système propre à ce salon :} parent {Ce fil suit le prompt système de <#{parent}> :} other {Ce salon utilise le prompt système par défaut (`/prompt-système définir` le remplace) :}}',

  usage_title: '**Utilisation de Mistral pour {guild} — {month} (UTC)**',
  usage_used:
    'Utilisés : **{used, number}** sur {limit, number} tokens{limited, select, yes { ({share, number, ::percent .0})} other {}} ; reste : **{left, number}**. Remise à zéro le {resetsAt}.',
  usage_split:
    'Prompt {prompt, number} · réponse {completion, number} · {requests, plural, one {# requête} many {# de requêtes} other {# requêtes}}',
  usage_reserved: '({reserved, number} tokens réservés par des questions en cours.)',
  usage_near_share: 'Membres proches de leur part ou au-delà : {members}.',
  usage_share_of: '{share, number, ::percent} de sa part',
  usage_by_model: '**Par modèle**',
  usage_model_line:
    '• `{model}` : {total, number} (prompt {prompt, number} · réponse {completion, number}) · {requests, number} req.',
  usage_top_members: '**Membres les plus actifs**',
  usage_member_line:
    '• {user} : {total, number} · {requests, number} req.{capped, select, yes { · {share, number, ::percent} de {cap, number}} other {}}',
  usage_more_members: '…et {count, plural, one {# autre} many {# autres} other {# autres}}.',
  usage_none: 'Aucune question posée pour l’instant ce mois-ci.',
  usage_shortened: '…(liste raccourcie)',

  alert_budget_near:
    '**Alerte budget :** ce serveur a utilisé **{share, number, ::percent}** de son budget de tokens Mistral pour {month} ({used, number} sur {limit, number} tokens). Il repart à zéro le {resetsAt}. Détails : `/consommation`.',
  alert_budget_spent:
    '**Alerte budget :** ce serveur a épuisé son budget de tokens Mistral pour {month} ({used, number} sur {limit, number} tokens). Les questions sont refusées jusqu’à la remise à zéro le {resetsAt} ; un opérateur du bot peut augmenter le budget avec `/budget définir`.',
  alert_key:
    '**Alerte clé :** `{model}` a utilisé {used, number} tokens{limited, select, yes { sur sa limite mensuelle de {limit, number} tokens ({share, number, ::percent})} other {}} sur la clé Mistral de ce bot en {month}, au-delà du seuil d’alerte ({kind, select, tokens {{tokens, number} tokens} other {{percent, number, ::percent}}}, `KEY_MONTHLY_TOKEN_ALERT`).',
  alerts_off:
    'Alertes de budget : désactivées. Choisis un salon avec `/consommation salon-alertes:` pour être prévenu à 80 % et à 100 %.',
  alerts_on:
    'Alertes de budget : à 80 % et à 100 %, dans {channel} (`/consommation alertes:désactivées` les arrête).{sent, select, none {} other { Ce mois-ci : {sent}.}}',
  alert_sent: '{threshold, number, ::percent} envoyée{when}',
  alert_not_posted:
    '{threshold, number, ::percent} n’a pas pu être publiée{when} ; vérifie mes permissions dans ce salon',
  alerts_set: '✅ Les alertes de budget seront publiées dans {channel}.',
  alerts_stopped: '✅ Les alertes de budget sont désactivées.',
  alerts_both: 'Choisis soit `salon-alertes:`, soit `alertes:désactivées`, pas les deux.',
  alerts_foreign_channel:
    'Ce salon n’est pas sur ce serveur. Choisis l’un des salons textuels de ce serveur.',
  chart_description:
    'Graphique en barres : tokens par jour en {month}, empilés par modèle. Les chiffres sont dans le message.',
  chart_title: 'Tokens par jour, {month} (UTC)',
  chart_empty: 'Aucune consommation ce mois-ci pour l’instant',

  budget_guild_id:
    'Indique un ID de serveur : 17 à 20 chiffres (clic droit sur le serveur → Copier l’identifiant du serveur).',
  budget_member_both: 'Indique soit `tokens:`, soit `effacer:`, pas les deux.',
  budget_show:
    '{verb, select, set {Budget défini. } clear {Dérogation supprimée. } other {}}Serveur `{guild}` : **{limit, number} tokens/mois** ({source, select, override {fixé par un opérateur} other {la valeur par défaut, `GUILD_MONTHLY_TOKEN_BUDGET`}}). Utilisés : {used, number}, restants : {left, number} ; remise à zéro le {resetsAt}.',
  budget_member_show:
    '{verb, select, set {Plafond du membre défini. } cleared {Plafond du membre supprimé. } other {}}{user} peut utiliser **{limit, number} tokens/mois** sur les {guildLimit, number} de ce serveur ({source, select, override {fixé par un responsable} other {la part par défaut, `MEMBER_MONTHLY_TOKEN_SHARE`}}). Utilisés : {used, number}, restants : {left, number} ; remise à zéro le {resetsAt}.',

  modal_ask_title: 'Interroger Mistral sur ce message',
  modal_ask_question: 'Ta question',
  modal_ask_visibility: 'Qui voit la réponse',
  modal_ask_everyone: 'Tout le salon',
  modal_ask_only_me: 'Moi seulement',
  ask_about_expired:
    'Ça a pris trop de temps et je n’ai plus le message. Choisis à nouveau « Demander à Mistral » sur ce message.',

  cmd_ask: 'Pose une question au modèle Mistral de ce salon',
  cmd_ask_prompt: 'Ta question',
  cmd_ask_attachment: 'Une image, un fichier texte ou un PDF sur lequel porte ta question',
  cmd_ask_thread: 'Ouvre un fil depuis la réponse pour y poursuivre la conversation',
  cmd_ask_private: 'Réponse visible par toi uniquement',
  cmd_model: 'Affiche ou choisis le modèle Mistral de ce salon',
  cmd_model_set: 'Choisis le modèle de ce salon (Gérer les salons)',
  cmd_model_set_model: 'Nom du modèle',
  cmd_model_show: 'Affiche le modèle de ce salon',
  cmd_model_list: 'Liste les modèles utilisables',
  cmd_system_prompt: 'Définis, affiche ou efface le prompt système de ce salon (Gérer les salons)',
  cmd_system_prompt_set: 'Dis au modèle comment répondre dans ce salon (les fils suivent leur salon)',
  cmd_system_prompt_set_text: 'Les instructions, jusqu’à 1 500 caractères',
  cmd_system_prompt_show: 'Affiche le prompt système de ce salon',
  cmd_system_prompt_clear: 'Reviens au prompt système par défaut',
  cmd_usage: 'Consommation de tokens Mistral de ce serveur ce mois-ci (privé)',
  cmd_usage_alerts_channel:
    'Publie les alertes de budget (à 80 % et à 100 % du budget mensuel) dans ce salon',
  cmd_usage_alerts: 'Arrête de publier les alertes de budget',
  cmd_budget: 'Budgets des serveurs (opérateurs) et plafonds des membres (Gérer le serveur)',
  cmd_budget_guild: 'ID du serveur (par défaut, ce serveur)',
  cmd_budget_tokens: 'Tokens par mois civil (UTC)',
  cmd_budget_set: 'Remplace le budget mensuel de tokens d’un serveur (opérateurs du bot)',
  cmd_budget_clear: 'Remet un serveur au budget par défaut (opérateurs du bot)',
  cmd_budget_show: 'Affiche le budget d’un serveur et sa consommation (opérateurs du bot)',
  cmd_budget_member: 'Affiche, définis ou efface le plafond mensuel d’un membre ici (Gérer le serveur)',
  cmd_budget_member_user: 'Le membre',
  cmd_budget_member_clear: 'Remet le membre à la part par défaut',
  ctx_ask: 'Demander à Mistral',
  ctx_summarize: 'Résumer',
  ctx_explain: 'Expliquer',
  ctx_translate: 'Traduire dans ma langue',
  cmd_forget: 'Efface la mémoire de conversation de ce fil ; le prochain /demander ici repart de zéro',

  waiting:
    '⏳ J’attends mon tour auprès de Mistral : tu es en position **{position, number}** dans la file (environ {eta, select, minutes {{minutes, number} min} other {{seconds, number} s}}).',
  waiting_stalled:
    '⏳ J’attends mon tour auprès de Mistral : tu es en position **{position, number}** dans la file. La file partagée du bot ne répond pas pour le moment ; ta question partira dès qu’elle sera revenue.',
  thinking: '💭 Réflexion… ({seconds, number} s)',

  answer_empty: '(Le modèle a renvoyé une réponse vide.)',
  answer_cut_off:
    '-# ⚠️ La réponse a été coupée : {why, select, timed_out {Mistral a cessé d’envoyer} other {la connexion à Mistral a été interrompue avant la fin de la réponse}}.',
  answer_length: '-# (Écourtée : la réponse a atteint sa longueur maximale.)',
  answer_stopped: '-# ⏹️ Arrêtée.',
  answer_footer:
    '-# {model} · {estimated, select, yes {~} other {}}{tokens, number} tokens{turns, plural, =0 {} one { · # échange précédent mémorisé} many { · # d’échanges précédents mémorisés} other { · # échanges précédents mémorisés}}{thought, select, none {} other { · réflexion : {thought} s}}',
  thread_not_opened: 'J’ai répondu, mais Discord ne m’a pas laissé ouvrir un fil depuis la réponse ici.',
  thread_name_default: 'Conversation',

  button_stop: 'Arrêter',
  button_regenerate: 'Régénérer',
  button_reasoning: 'Voir le raisonnement',
  regenerated_note: '-# 🔁 Redemandé par {user}.',
  reasoning_header: 'Comment `{model}` a raisonné avant de répondre :',
  reasoning_in_file: 'Comment `{model}` a raisonné avant de répondre (en pièce jointe : c’est long).',
  button_not_yours:
    'Seul le membre qui a posé la question, ou quelqu’un avec la permission **Gérer les messages**, peut faire ça.',
  answer_not_running:
    'Cette réponse n’est plus en cours d’écriture (elle est terminée, ou le bot a redémarré).',
  answer_forgotten:
    'Je n’ai plus cette question (les réponses peuvent être régénérées pendant {days, plural, one {# jour} many {# de jours} other {# jours}}). Pose-la à nouveau.',
  no_reasoning: 'Cette réponse n’a pas de raisonnement à montrer.',

  // Attachments, vision and reasoning models.
  attachment_too_many_images:
    'Tu as joint {count, number} images ; Mistral en lit au plus {max, number} par question. Pose ta question sur moins d’images à la fois. Rien n’a été envoyé ni décompté.',
  attachment_too_large:
    '`{name}` fait {mb, number} Mo ; j’accepte des fichiers de {max, number} Mo au plus. Joins une copie plus légère. Rien n’a été envoyé ni décompté.',
  attachment_text_too_long:
    '`{name}`{others, plural, =0 { représente} one { et # autre fichier représentent} many { et # d’autres fichiers représentent} other { et # autres fichiers représentent}} {exact, select, yes {environ} other {au moins}} {tokens, number} tokens ; les fichiers d’une question peuvent en ajouter au plus {limit, number} (`MAX_ATTACHMENT_TOKENS`). Joins un fichier plus court ou colle la partie dont tu as besoin. Rien n’a été envoyé ni décompté.',
  attachment_not_readable:
    '{kind, select, image {`{name}` {format, select, none {n’est pas une image que je sais lire} other {est une image {format}}} : Mistral lit les images PNG, JPEG, WEBP et GIF non animées. Convertis-la et joins-la à nouveau.} pdf {`{name}` porte le nom d’un PDF, mais je ne sais pas le lire.} other {`{name}` n’est pas un fichier que je sais lire{format, select, none {} other { (format : {format})}} : j’accepte les images (PNG, JPEG, WEBP, GIF non animé), les fichiers texte UTF-8 et les PDF.}} Rien n’a été envoyé ni décompté.',
  attachment_animated:
    '`{name}` est animé ; Mistral ne lit que les images fixes. Joins une image fixe (une capture de l’image qui t’intéresse). Rien n’a été envoyé ni décompté.',
  attachment_unavailable:
    'Je n’ai pas pu télécharger `{name}` depuis Discord{why, select, expired { (son lien a expiré : joins à nouveau le fichier)} timeout { (c’était trop long)} other {}}. Rien n’a été envoyé ni décompté.',
  vision_not_supported:
    'Le modèle de ce salon, `{model}`, ne sait pas lire les images.{models, select, none { Aucun modèle proposé ici n’en est capable ; un opérateur du bot peut définir `VISION_MODEL`.} other { Un responsable peut passer à un modèle qui en est capable avec `/modèle définir` : {models}.}} Rien n’a été envoyé ni décompté.',
  documents_not_supported:
    'Le modèle de ce salon, `{model}`, ne sait pas lire les PDF.{models, select, none { Aucun modèle proposé ici n’en est capable ; un opérateur du bot peut indiquer ceux qui le peuvent dans `DOCUMENT_MODELS`.} other { Un responsable peut passer à un modèle qui en est capable avec `/modèle définir` : {models}.}} Rien n’a été envoyé ni décompté.',
  capabilities_unknown:
    'Je ne sais pas encore quels modèles {what, select, images {savent lire les images} documents {savent lire les PDF} other {raisonnent, ni comment}} : la liste des modèles de Mistral n’a pas répondu. Réessaie dans quelques minutes. Rien n’a été envoyé ni décompté.',
  reasoning_effort_refused:
    'Mistral a refusé l’effort de raisonnement `{effort}` que ce salon utilise avec `{model}`{efforts, select, none { : ce modèle n’en accepte aucun} other { ; il accepte {efforts}}}. Un responsable peut le changer avec `/modèle définir`. Rien n’a été décompté.',
  reasoning_not_supported:
    '`{model}` ne raisonne pas, il n’accepte donc pas l’option `reasoning`.{models, select, none {} other { Modèles qui raisonnent : {models}.}}',
  reasoning_effort_not_offered:
    '`{model}` accepte les efforts de raisonnement {efforts} (ou `default`, le sien), pas `{effort}`.',
  model_set_reasoning: 'Ce salon utilise désormais `{model}` avec l’effort de raisonnement `{effort}`.',
  model_set_effort_cleared:
    'Ce salon utilise désormais `{model}`. Son effort de raisonnement `{effort}` ne s’applique pas à ce modèle, il a donc été effacé.',
  model_show_reasoning: 'Effort de raisonnement : `{effort}`.',
  model_list_legend:
    '🖼️ lit les images · 📄 lit les PDF · 💭 raisonne (`/modèle définir` avec `raisonnement:`)',
  reasoning_choice_default: 'par défaut (celui du modèle)',
  cmd_model_set_reasoning:
    'Combien un modèle qui raisonne réfléchit d’abord (efforts acceptés ; default = le sien)',
} satisfies Record<MessageCode, string>;
