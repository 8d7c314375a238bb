import type { MessageCode } from './en.ts';

/**
 * Spanish texts, one for every code of the English source (en.ts), same placeholders, plurals and
 * selects. One neutral Spanish serves both of Discord's Spanish locales (`es-ES`, `es-419`): "tú",
 * no "vosotros", no regional words. Numbers are still formatted for the member's region (see
 * `t`). Permission names are the ones Discord's Spanish client shows. A no-break space (U+00A0)
 * keeps a number and its percent sign on one line.
 */
export const es = {
  blank_prompt: 'Tu pregunta está vacía. Escribe tu pregunta después de `pregunta:`.',
  prompt_too_long:
    'Tu pregunta tiene {length, number} caracteres; el límite es {limit, number}. Acórtala, por favor.',
  missing_permission:
    'Para esto necesitas aquí el permiso **{permission, select, ManageChannels {Gestionar canales} ManageGuild {Gestionar servidor} ManageMessages {Gestionar mensajes} other {{permission}}}**. Pídeselo a un administrador del servidor.',
  bot_missing_permission:
    'No puedo hacer eso aquí: necesito **{permission, select, CreatePublicThreads {Crear hilos públicos y Enviar mensajes en hilos} other {{permission}}}** en este canal. Pregunta de nuevo sin esa opción o pide a un administrador que me lo conceda.',
  not_operator: 'Esto es solo para los operadores del bot.',
  guild_only:
    'Solo respondo dentro de un servidor: las preguntas se descuentan del presupuesto mensual del servidor, y un mensaje directo no tiene ninguno.',
  unknown_model: '`{model}` no es un modelo que puedas usar aquí. Elige uno de estos: {models}.',
  model_unavailable:
    'El modelo de este canal, `{model}`, no está disponible en este bot ahora mismo. Un administrador puede elegir otro con `/modelo establecer`; modelos disponibles: {models}.',
  model_month_spent:
    '`{model}` agotó su cuota mensual en la clave de Mistral de este bot; volverá el mes que viene. No se envió ni se descontó nada.{others, select, none {} other { Otros modelos siguen funcionando: {others}; un administrador puede cambiarlo con `/modelo establecer`.}}',
  budget_spent:
    'Este servidor agotó su presupuesto mensual de tokens: **{used, number} de {limit, number} tokens**. Se reinicia el {resetsAt}. Un operador del bot puede aumentarlo con `/presupuesto establecer`.',
  budget_too_small:
    'Esta pregunta necesita unos {needed, number} tokens, pero a este servidor solo le quedan {left, number} de sus {limit, number} tokens mensuales. {context, select, yes {Eso incluye los turnos anteriores de esta conversación (`/olvidar` los borra en un hilo);} other {Prueba con una pregunta más corta;}} el presupuesto se reinicia el {resetsAt}.',
  budget_held:
    'Los últimos {left, number} de los {limit, number} tokens mensuales de este servidor están reservados por preguntas que se están respondiendo ahora mismo. Vuelve a intentarlo en un minuto; si necesitan menos, el resto se libera. El presupuesto se reinicia el {resetsAt}.',
  member_budget_held:
    'El resto de tu parte mensual ({left, number} de {limit, number} tokens) está reservado por tu pregunta, que se está respondiendo ahora mismo. Pregunta de nuevo cuando termine.',
  member_budget_spent:
    'Agotaste tu parte del presupuesto mensual de tokens de este servidor: **{used, number} de {limit, number} tokens**. Se reinicia el {resetsAt}; los demás pueden seguir preguntando. Un administrador del servidor puede cambiar tu parte con `/presupuesto miembro`.',
  member_budget_too_small:
    'Esta pregunta necesita unos {needed, number} tokens, pero solo te quedan {left, number} de tu parte mensual de {limit, number} tokens. Prueba con una pregunta más corta; tu parte se reinicia el {resetsAt}.',
  cooldown:
    'Espera {seconds, plural, one {# segundo} many {# de segundos} other {# segundos}} antes de tu próxima pregunta, por favor.',
  busy: 'Estoy ocupado: ya {waiting, plural, one {hay # pregunta} many {hay # de preguntas} other {hay # preguntas}} en espera. Vuelve a intentarlo en un minuto; no se envió ni se descontó nada.',
  guild_busy:
    'Estoy ocupado: este servidor ya tiene {waiting, plural, one {# pregunta} many {# de preguntas} other {# preguntas}} en espera. Vuelve a intentarlo en un minuto; no se envió ni se descontó nada.',
  member_busy:
    'Tu pregunta anterior sigue esperando su turno; vuelve a preguntar cuando tenga respuesta. No se envió ni se descontó nada.',
  question_too_large:
    'Esta pregunta necesita hasta {tokens, number} tokens, más de los que `{model}` puede usar en un minuto ({perMinute, number}). Acórtala, por favor. No se envió ni se descontó nada.',
  waited_too_long:
    'Tu pregunta esperó demasiado en la cola y no se envió; no se descontó nada. Vuelve a preguntar, por favor.',
  restarting:
    'Me estoy reiniciando y ahora mismo no acepto solicitudes nuevas; no se envió ni se descontó nada. Vuelve a intentarlo en un minuto.',
  not_sent_restarting:
    'Me estoy reiniciando; tu pregunta no se envió y no se descontó nada. Vuelve a preguntar en un momento.',
  stopped_before_start: 'Detenido antes de enviarse a Mistral; no se descontó nada.',
  store_unavailable:
    'Mi almacenamiento no responde ahora mismo, así que no puedo comprobar el presupuesto de este servidor. No se envió ni se descontó nada; vuelve a intentarlo en unos minutos.',
  usage_unrecorded:
    'Todavía no pude registrar el consumo de las últimas respuestas, así que no acepto preguntas nuevas hasta que mi almacenamiento vuelva a funcionar. No se envió ni se descontó nada; vuelve a intentarlo en unos minutos.',
  setting_not_saved:
    'No pude guardar eso: mi almacenamiento no respondió y no cambió nada. Vuelve a intentarlo en unos minutos.',
  upstream_rate_limited:
    'Mistral está limitando a este bot ahora mismo. No se descontó nada. Vuelve a intentarlo en un minuto.',
  upstream_quota_exhausted:
    '`{model}` agotó su cuota mensual en la clave de Mistral de este bot; volverá el mes que viene. No se descontó nada.{others, select, none {} other { Otros modelos siguen funcionando: {others}; un administrador puede cambiarlo con `/modelo establecer`.}}',
  upstream_model_unavailable:
    '`{model}` no está disponible en el plan de Mistral de este bot. No se descontó nada.{others, select, none {} other { Otros modelos siguen funcionando: {others}; un administrador puede cambiarlo con `/modelo establecer`.}}',
  upstream_server_error:
    'Mistral tiene problemas para responder (error del servidor). No se descontó nada. Vuelve a intentarlo más tarde.',
  upstream_network: 'No pude conectar con Mistral. No se descontó nada. Vuelve a intentarlo más tarde.',
  upstream_malformed:
    'Mistral envió una respuesta que no pude leer. No se descontó nada. Vuelve a intentarlo más tarde.',
  upstream_timed_out:
    'Mistral no respondió a tiempo. No se descontó nada. Vuelve a intentarlo, quizá con una pregunta más corta.',
  upstream_bad_request:
    'Mistral rechazó esta solicitud. No se descontó nada. Prueba a reformular o acortar tu pregunta.',
  upstream_unknown_model:
    'Mistral no conoce el modelo `{model}`. No se descontó nada. Un administrador puede elegir otro con `/modelo establecer`.',
  upstream_unauthorized:
    'Mistral rechazó la clave del bot; el operador tiene que arreglarlo. No se descontó nada.',
  system_prompt_blank:
    'El prompt del sistema está vacío. Para volver al predeterminado, usa `/prompt-del-sistema borrar`.',
  system_prompt_too_long:
    'Ese prompt del sistema tiene {length, number} caracteres; el límite es {limit, number} (se envía con cada pregunta y cuenta para el presupuesto del servidor). Acórtalo, por favor.',
  thread_needs_text_channel:
    'Solo puedo abrir un hilo desde una respuesta en un canal de texto o de anuncios. Pregunta de nuevo sin `thread`.',
  unknown_command: 'Ya no conozco este comando; desaparecerá en breve.',
  failed: 'Algo salió mal por mi parte; quedó registrado como `{ref}`. Vuelve a intentarlo más tarde.',
  with_ref: '{text} (ref. `{ref}`)',

  forget_outside_thread:
    'Solo los hilos recuerdan las preguntas anteriores, así que aquí no hay nada que olvidar. Cada `/preguntar` en un canal empieza de cero; usa `/olvidar` dentro de un hilo.',
  forgotten:
    '{turns, plural, =0 {Este hilo no tenía nada que recordar.} one {Olvidada: # pregunta anterior con su respuesta.} many {Olvidadas: # de preguntas anteriores con sus respuestas.} other {Olvidadas: # preguntas anteriores con sus respuestas.}} El próximo `/preguntar` aquí empieza de cero.',

  model_show:
    'Este canal usa `{model}`{unavailable, select, yes { (no disponible en este bot ahora mismo)} other {}}.',
  model_list:
    'Modelos que puedes usar: {models}.\nEste canal usa `{model}`{unavailable, select, yes { (no disponible ahora mismo; elige otro)} other {}}; el predeterminado es `{default}`.',
  model_set: 'Este canal ahora usa `{model}`.',

  system_prompt_set:
    'Prompt del sistema configurado para este canal{thread, select, yes { (solo este hilo)} other { y sus hilos}}. Acompaña a cada pregunta aquí: unos {tokens, number} tokens cada vez.',
  system_prompt_cleared:
    'Prompt del sistema borrado. Este canal ahora usa {source, select, parent {el prompt de su canal principal} other {el prompt predeterminado}}.',
  system_prompt_show:
    '{source, select, channel {El prompt del sistema propio de este canal:} parent {Este hilo sigue el prompt del sistema de <#{parent}>:} other {Este canal usa el prompt del sistema predeterminado (`/prompt-del-sistema establecer` lo reemplaza):}}',

  usage_title: '**Uso de Mistral en {guild} — {month} (UTC)**',
  usage_used:
    'Usados **{used, number}** de {limit, number} tokens{limited, select, yes { ({share, number, ::percent .0})} other {}}; quedan **{left, number}**. Se reinicia el {resetsAt}.',
  usage_split:
    'Prompt {prompt, number} · respuesta {completion, number} · {requests, plural, one {# solicitud} many {# de solicitudes} other {# solicitudes}}',
  usage_reserved: '({reserved, number} tokens reservados por preguntas en curso.)',
  usage_near_share: 'Miembros cerca de su parte o por encima: {members}.',
  usage_share_of: '{share, number, ::percent} de su parte',
  usage_by_model: '**Por modelo**',
  usage_model_line:
    '• `{model}`: {total, number} (prompt {prompt, number} · respuesta {completion, number}) · {requests, number} sol.',
  usage_top_members: '**Miembros más activos**',
  usage_member_line:
    '• {user}: {total, number} · {requests, number} sol.{capped, select, yes { · {share, number, ::percent} de {cap, number}} other {}}',
  usage_more_members: '…y {count, number} más.',
  usage_none: 'Todavía no se ha hecho ninguna pregunta este mes.',
  usage_shortened: '…(lista acortada)',

  alert_budget_near:
    '**Alerta de presupuesto:** este servidor ha usado el **{share, number, ::percent}** de su presupuesto de tokens de Mistral de {month} ({used, number} de {limit, number} tokens). Se reinicia el {resetsAt}. Detalles: `/consumo`.',
  alert_budget_spent:
    '**Alerta de presupuesto:** este servidor agotó su presupuesto de tokens de Mistral de {month} ({used, number} de {limit, number} tokens). Las preguntas se rechazarán hasta que se reinicie el {resetsAt}; un operador del bot puede aumentar el presupuesto con `/presupuesto establecer`.',
  alert_key:
    '**Alerta de clave:** `{model}` ha usado {used, number} tokens{limited, select, yes { de su límite mensual de {limit, number} tokens ({share, number, ::percent})} other {}} en la clave de Mistral de este bot en {month}, por encima del umbral de alerta ({kind, select, tokens {{tokens, number} tokens} other {{percent, number, ::percent}}}, `KEY_MONTHLY_TOKEN_ALERT`).',
  alerts_off:
    'Alertas de presupuesto: desactivadas. Elige un canal con `/consumo canal-de-alertas:` para recibir avisos al 80 % y al 100 %.',
  alerts_on:
    'Alertas de presupuesto: al 80 % y al 100 %, en {channel} (`/consumo alertas:desactivadas` las desactiva).{sent, select, none {} other { Este mes: {sent}.}}',
  alert_sent: '{threshold, number, ::percent} enviada{when}',
  alert_not_posted:
    '{threshold, number, ::percent} no se pudo publicar{when}; revisa mis permisos en ese canal',
  alerts_set: '✅ Las alertas de presupuesto se publicarán en {channel}.',
  alerts_stopped: '✅ Las alertas de presupuesto están desactivadas.',
  alerts_both: 'Elige `canal-de-alertas:` o `alertas:desactivadas`, no ambos.',
  alerts_foreign_channel:
    'Ese canal no es de este servidor. Elige uno de los canales de texto de este servidor.',
  chart_description:
    'Gráfico de barras: tokens por día en {month}, apilados por modelo. Las cifras están en el mensaje.',
  chart_title: 'Tokens por día, {month} (UTC)',
  chart_empty: 'Todavía no hay consumo este mes',

  budget_guild_id:
    'Indica un ID de servidor: de 17 a 20 dígitos (clic derecho en el servidor → Copiar ID del servidor).',
  budget_member_both: 'Indica `tokens:` o `borrar:`, no ambos.',
  budget_show:
    '{verb, select, set {Presupuesto establecido. } clear {Excepción eliminada. } other {}}Servidor `{guild}`: **{limit, number} tokens/mes** ({source, select, override {fijado por un operador} other {el predeterminado, `GUILD_MONTHLY_TOKEN_BUDGET`}}). Usados {used, number}, quedan {left, number}; se reinicia el {resetsAt}.',
  budget_member_show:
    '{verb, select, set {Límite del miembro establecido. } cleared {Límite del miembro eliminado. } other {}}{user} puede usar **{limit, number} tokens/mes** de los {guildLimit, number} de este servidor ({source, select, override {fijado por un administrador} other {la parte predeterminada, `MEMBER_MONTHLY_TOKEN_SHARE`}}). Usados {used, number}, quedan {left, number}; se reinicia el {resetsAt}.',

  modal_ask_title: 'Preguntar a Mistral sobre este mensaje',
  modal_ask_question: 'Tu pregunta',
  modal_ask_visibility: 'Quién ve la respuesta',
  modal_ask_everyone: 'Todos en el canal',
  modal_ask_only_me: 'Solo yo',
  ask_about_expired: 'Tardó demasiado y ya no tengo el mensaje. Vuelve a elegir “Preguntar a Mistral” en él.',

  cmd_ask: 'Hazle una pregunta al modelo de Mistral de este canal',
  cmd_ask_prompt: 'Tu pregunta',
  cmd_ask_attachment: 'Una imagen, un archivo de texto o un PDF sobre el que preguntar',
  cmd_ask_thread: 'Abre un hilo desde la respuesta para seguir la conversación allí',
  cmd_ask_private: 'Solo tú ves la respuesta',
  cmd_model: 'Muestra o elige el modelo de Mistral que usa este canal',
  cmd_model_set: 'Elige el modelo de este canal (Gestionar canales)',
  cmd_model_set_model: 'Nombre del modelo',
  cmd_model_show: 'Muestra el modelo de este canal',
  cmd_model_list: 'Lista los modelos que puedes usar',
  cmd_system_prompt: 'Configura, muestra o borra el prompt del sistema de este canal (Gestionar canales)',
  cmd_system_prompt_set: 'Dile al modelo cómo responder en este canal (los hilos siguen a su canal)',
  cmd_system_prompt_set_text: 'Las instrucciones, hasta 1500 caracteres',
  cmd_system_prompt_show: 'Muestra el prompt del sistema de este canal',
  cmd_system_prompt_clear: 'Vuelve al prompt del sistema predeterminado',
  cmd_usage: 'El uso de tokens de Mistral de este servidor este mes (privado)',
  cmd_usage_alerts_channel: 'Publica alertas de presupuesto (al 80 % y al 100 % del mensual) en este canal',
  cmd_usage_alerts: 'Deja de publicar alertas de presupuesto',
  cmd_budget: 'Presupuestos de servidores (operadores) y límites de miembros (Gestionar servidor)',
  cmd_budget_guild: 'ID del servidor (por defecto, este servidor)',
  cmd_budget_tokens: 'Tokens por mes calendario (UTC)',
  cmd_budget_set: 'Cambia el presupuesto mensual de tokens de un servidor (operadores del bot)',
  cmd_budget_clear: 'Devuelve un servidor al presupuesto predeterminado (operadores del bot)',
  cmd_budget_show: 'Muestra el presupuesto de un servidor y lo que ha usado (operadores del bot)',
  cmd_budget_member: 'Muestra, fija o borra el límite mensual de un miembro aquí (Gestionar servidor)',
  cmd_budget_member_user: 'El miembro',
  cmd_budget_member_clear: 'Devuelve al miembro a la parte predeterminada',
  ctx_ask: 'Preguntar a Mistral',
  ctx_summarize: 'Resumir',
  ctx_explain: 'Explicar',
  ctx_translate: 'Traducir a mi idioma',
  cmd_forget: 'Borra la memoria de conversación de este hilo; el próximo /preguntar aquí empieza de cero',

  waiting:
    '⏳ Esperando mi turno con Mistral: estás en la posición **{position, number}** de la cola (unos {eta, select, minutes {{minutes, number} min} other {{seconds, number} s}}).',
  waiting_stalled:
    '⏳ Esperando mi turno con Mistral: estás en la posición **{position, number}** de la cola. La cola compartida del bot no responde ahora mismo; tu pregunta saldrá en cuanto vuelva.',
  thinking: '💭 Pensando… ({seconds, number} s)',

  answer_empty: '(El modelo devolvió una respuesta vacía.)',
  answer_cut_off:
    '-# ⚠️ La respuesta quedó cortada: {why, select, timed_out {Mistral dejó de enviar} other {la conexión con Mistral se cortó antes de terminar la respuesta}}.',
  answer_length: '-# (Recortada: la respuesta alcanzó su límite de longitud.)',
  answer_stopped: '-# ⏹️ Detenida.',
  answer_footer:
    '-# {model} · {estimated, select, yes {~} other {}}{tokens, number} tokens{turns, plural, =0 {} one { · # turno anterior recordado} many { · # de turnos anteriores recordados} other { · # turnos anteriores recordados}}{thought, select, none {} other { · pensó {thought} s}}',
  thread_not_opened: 'Respondí, pero Discord no me dejó abrir un hilo desde la respuesta aquí.',
  thread_name_default: 'Conversación',

  button_stop: 'Detener',
  button_regenerate: 'Regenerar',
  button_reasoning: 'Ver razonamiento',
  regenerated_note: '-# 🔁 Preguntado de nuevo por {user}.',
  reasoning_header: 'Cómo razonó `{model}` antes de responder:',
  reasoning_in_file: 'Cómo razonó `{model}` antes de responder (adjunto, porque es largo).',
  button_not_yours: 'Solo el miembro que preguntó, o alguien con **Gestionar mensajes**, puede hacer eso.',
  answer_not_running: 'Esta respuesta ya no se está escribiendo (terminó o el bot se reinició).',
  answer_forgotten:
    'Ya no tengo esta pregunta (las respuestas se pueden regenerar durante {days, plural, one {# día} many {# de días} other {# días}}). Vuelve a preguntar.',
  no_reasoning: 'Esta respuesta no tiene razonamiento que mostrar.',

  // Attachments, vision and reasoning models.
  attachment_too_many_images:
    'Adjuntaste {count, number} imágenes; Mistral lee como máximo {max, number} por pregunta. Pregunta por menos a la vez. No se envió ni se descontó nada.',
  attachment_too_large:
    '`{name}` ocupa {mb, number} MB; acepto archivos de {max, number} MB como máximo. Adjunta una copia más pequeña. No se envió ni se descontó nada.',
  attachment_text_too_long:
    '`{name}`{others, plural, =0 { suma} one { y # archivo más suman} many { y # de archivos más suman} other { y # archivos más suman}} {exact, select, yes {unos} other {al menos}} {tokens, number} tokens; los archivos de una pregunta pueden añadir como máximo {limit, number} (`MAX_ATTACHMENT_TOKENS`). Adjunta un archivo más corto o pega la parte que necesitas. No se envió ni se descontó nada.',
  attachment_not_readable:
    '{kind, select, image {`{name}` {format, select, none {no es una imagen que pueda leer} other {es una imagen {format}}}: Mistral lee imágenes PNG, JPEG, WEBP y GIF sin animación. Conviértela y adjúntala de nuevo.} pdf {`{name}` tiene nombre de PDF, pero no es uno que pueda leer.} other {`{name}` no es un archivo que pueda leer{format, select, none {} other { (formato: {format})}}: acepto imágenes (PNG, JPEG, WEBP, GIF sin animación), archivos de texto UTF-8 y PDF.}} No se envió ni se descontó nada.',
  attachment_animated:
    '`{name}` es animado; Mistral solo lee imágenes fijas. Adjunta una imagen fija (una captura del fotograma que te interesa). No se envió ni se descontó nada.',
  attachment_unavailable:
    'No pude descargar `{name}` de Discord{why, select, expired { (su enlace caducó: adjunta el archivo de nuevo)} timeout { (tardó demasiado)} other {}}. No se envió ni se descontó nada.',
  vision_not_supported:
    'El modelo de este canal, `{model}`, no puede leer imágenes.{models, select, none { Ningún modelo disponible aquí puede; un operador del bot puede configurar `VISION_MODEL`.} other { Un administrador puede cambiar a uno que sí pueda con `/modelo establecer`: {models}.}} No se envió ni se descontó nada.',
  documents_not_supported:
    'El modelo de este canal, `{model}`, no puede leer PDF.{models, select, none { Ningún modelo disponible aquí puede; un operador del bot puede indicar los que sí en `DOCUMENT_MODELS`.} other { Un administrador puede cambiar a uno que sí pueda con `/modelo establecer`: {models}.}} No se envió ni se descontó nada.',
  capabilities_unknown:
    'Todavía no sé qué modelos {what, select, images {pueden leer imágenes} documents {pueden leer PDF} other {razonan, ni cómo}}: la lista de modelos de Mistral no respondió. Vuelve a intentarlo en unos minutos. No se envió ni se descontó nada.',
  reasoning_effort_refused:
    'Mistral rechazó el esfuerzo de razonamiento `{effort}` que este canal usa con `{model}`{efforts, select, none {: este modelo no admite ninguno} other {; admite {efforts}}}. Un administrador puede cambiarlo con `/modelo establecer`. No se descontó nada.',
  reasoning_not_supported:
    '`{model}` no razona, así que no admite la opción `reasoning`.{models, select, none {} other { Modelos que razonan: {models}.}}',
  reasoning_effort_not_offered:
    '`{model}` admite los esfuerzos de razonamiento {efforts} (o `default`, el suyo propio), no `{effort}`.',
  model_set_reasoning: 'Este canal ahora usa `{model}` con esfuerzo de razonamiento `{effort}`.',
  model_set_effort_cleared:
    'Este canal ahora usa `{model}`. Su esfuerzo de razonamiento `{effort}` no se aplica a este modelo, así que se borró.',
  model_show_reasoning: 'Esfuerzo de razonamiento: `{effort}`.',
  model_list_legend: '🖼️ lee imágenes · 📄 lee PDF · 💭 razona (`/modelo establecer` con `razonamiento:`)',
  reasoning_choice_default: 'predeterminado (el del modelo)',
  cmd_model_set_reasoning:
    'Cuánto piensa antes un modelo que razona (los esfuerzos que admite; default = el suyo)',
} satisfies Record<MessageCode, string>;
