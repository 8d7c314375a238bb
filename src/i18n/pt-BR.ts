import type { MessageCode } from './en.ts';

/**
 * Brazilian Portuguese texts, one for every code of the English source (en.ts), same
 * placeholders, plurals and selects. Members are addressed with "você"; threads are "tópicos"
 * and permission names are the ones Discord's Brazilian client shows. Mistral, the company, is
 * feminine ("a Mistral"). Dates are Discord timestamps that start with a weekday, so they follow
 * a colon ("renovação: …") rather than a preposition.
 */
export const ptBR = {
  blank_prompt: 'Sua pergunta está vazia. Digite sua pergunta depois de `pergunta:`.',
  prompt_too_long:
    'Sua pergunta tem {length, number} caracteres; o limite é {limit, number}. Por favor, encurte a pergunta.',
  missing_permission:
    'Aqui é preciso ter a permissão **{permission, select, ManageChannels {Gerenciar canais} ManageGuild {Gerenciar servidor} ManageMessages {Gerenciar mensagens} other {{permission}}}**. Peça a um administrador do servidor.',
  bot_missing_permission:
    'Não posso fazer isso aqui: preciso de **{permission, select, CreatePublicThreads {Criar tópicos públicos e Enviar mensagens em tópicos} other {{permission}}}** neste canal. Pergunte de novo sem essa opção ou peça a um administrador para me dar essa permissão.',
  not_operator: 'Isto é só para os operadores do bot.',
  guild_only:
    'Só respondo dentro de um servidor: as perguntas são descontadas do orçamento mensal do servidor, e uma mensagem direta não tem orçamento.',
  unknown_model: '`{model}` não é um modelo que você pode usar aqui. Escolha um destes: {models}.',
  model_unavailable:
    'O modelo deste canal, `{model}`, não está disponível neste bot agora. Um administrador pode escolher outro com `/modelo definir`; modelos disponíveis: {models}.',
  model_month_spent:
    '`{model}` esgotou a cota mensal na chave Mistral deste bot; ele volta no mês que vem. Nada foi enviado nem descontado.{others, select, none {} other { Outros modelos continuam funcionando: {others}; um administrador pode trocar com `/modelo definir`.}}',
  budget_spent:
    'Este servidor esgotou o orçamento mensal de tokens: **{used, number} de {limit, number} tokens**. Renovação: {resetsAt}. Um operador do bot pode aumentá-lo com `/orçamento definir`.',
  budget_too_small:
    'Esta pergunta precisa de uns {needed, number} tokens, mas este servidor só tem {left, number} dos seus {limit, number} tokens mensais. {context, select, yes {Isso inclui as rodadas anteriores desta conversa (`/esquecer` as apaga em um tópico);} other {Tente uma pergunta mais curta;}} renovação do orçamento: {resetsAt}.',
  budget_held:
    'Os últimos {left, number} dos {limit, number} tokens mensais deste servidor estão reservados para perguntas sendo respondidas agora. Tente de novo em um minuto; se elas precisarem de menos, o resto volta. Renovação do orçamento: {resetsAt}.',
  member_budget_held:
    'O resto da sua parte mensal ({left, number} de {limit, number} tokens) está reservado para a sua pergunta, que está sendo respondida agora. Pergunte de novo quando ela terminar.',
  member_budget_spent:
    'Você usou toda a sua parte do orçamento mensal de tokens deste servidor: **{used, number} de {limit, number} tokens**. Renovação: {resetsAt}; os outros aqui ainda podem perguntar. Um administrador do servidor pode mudar sua parte com `/orçamento membro`.',
  member_budget_too_small:
    'Esta pergunta precisa de uns {needed, number} tokens, mas só restam {left, number} da sua parte mensal de {limit, number} tokens. Tente uma pergunta mais curta; renovação da sua parte: {resetsAt}.',
  cooldown:
    'Espere {seconds, plural, one {# segundo} many {# de segundos} other {# segundos}} antes da sua próxima pergunta, por favor.',
  busy: 'Estou ocupado: {waiting, plural, one {# pergunta já está} many {# de perguntas já estão} other {# perguntas já estão}} esperando. Tente de novo em um minuto; nada foi enviado nem descontado.',
  guild_busy:
    'Estou ocupado: este servidor já tem {waiting, plural, one {# pergunta} many {# de perguntas} other {# perguntas}} esperando. Tente de novo em um minuto; nada foi enviado nem descontado.',
  member_busy:
    'Sua pergunta anterior ainda está esperando a vez dela; pergunte de novo quando ela for respondida. Nada foi enviado nem descontado.',
  question_too_large:
    'Esta pergunta precisa de até {tokens, number} tokens, mais do que `{model}` pode usar em um minuto ({perMinute, number}). Por favor, encurte a pergunta. Nada foi enviado nem descontado.',
  waited_too_long:
    'Sua pergunta esperou demais na fila e não foi enviada; nada foi descontado. Pergunte de novo, por favor.',
  restarting:
    'Estou reiniciando e não estou aceitando novos pedidos agora; nada foi enviado nem descontado. Tente de novo em um minuto.',
  not_sent_restarting:
    'Estou reiniciando; sua pergunta não foi enviada e nada foi descontado. Pergunte de novo daqui a pouco.',
  stopped_before_start: 'Parado antes de ser enviado à Mistral; nada foi descontado.',
  store_unavailable:
    'Meu armazenamento não está respondendo agora, então não consigo verificar o orçamento deste servidor. Nada foi enviado nem descontado; tente de novo em alguns minutos.',
  usage_unrecorded:
    'Ainda não consegui registrar o uso das últimas respostas, então não estou aceitando novas perguntas até meu armazenamento voltar a funcionar. Nada foi enviado nem descontado; tente de novo em alguns minutos.',
  setting_not_saved:
    'Não consegui salvar isso: meu armazenamento não respondeu e nada mudou. Tente de novo em alguns minutos.',
  upstream_rate_limited:
    'A Mistral está limitando este bot agora. Nada foi descontado. Tente de novo em um minuto.',
  upstream_quota_exhausted:
    '`{model}` esgotou a cota mensal na chave Mistral deste bot; ele volta no mês que vem. Nada foi descontado.{others, select, none {} other { Outros modelos continuam funcionando: {others}; um administrador pode trocar com `/modelo definir`.}}',
  upstream_model_unavailable:
    '`{model}` não está disponível no plano Mistral deste bot. Nada foi descontado.{others, select, none {} other { Outros modelos continuam funcionando: {others}; um administrador pode trocar com `/modelo definir`.}}',
  upstream_server_error:
    'A Mistral está com problemas para responder (erro no servidor). Nada foi descontado. Tente de novo mais tarde.',
  upstream_network: 'Não consegui falar com a Mistral. Nada foi descontado. Tente de novo mais tarde.',
  upstream_malformed:
    'A Mistral enviou uma resposta que não consegui ler. Nada foi descontado. Tente de novo mais tarde.',
  upstream_timed_out:
    'A Mistral não respondeu a tempo. Nada foi descontado. Tente de novo, talvez com uma pergunta mais curta.',
  upstream_bad_request:
    'A Mistral recusou este pedido. Nada foi descontado. Tente reformular ou encurtar sua pergunta.',
  upstream_unknown_model:
    'A Mistral não conhece o modelo `{model}`. Nada foi descontado. Um administrador pode escolher outro com `/modelo definir`.',
  upstream_unauthorized:
    'A chave Mistral do bot foi recusada; o operador precisa corrigir isso. Nada foi descontado.',
  system_prompt_blank:
    'O prompt de sistema está vazio. Para voltar ao padrão, use `/prompt-do-sistema limpar`.',
  system_prompt_too_long:
    'Esse prompt de sistema tem {length, number} caracteres; o limite é {limit, number} (ele vai junto com cada pergunta e conta no orçamento do servidor). Por favor, encurte o prompt.',
  thread_needs_text_channel:
    'Só consigo abrir um tópico a partir de uma resposta em um canal de texto ou de anúncios. Pergunte de novo sem `thread`.',
  unknown_command: 'Não conheço mais este comando; ele vai sumir em breve.',
  failed: 'Algo deu errado do meu lado; ficou registrado como `{ref}`. Tente de novo mais tarde.',
  with_ref: '{text} (ref. `{ref}`)',

  forget_outside_thread:
    'Só os tópicos lembram as perguntas anteriores, então não há nada para esquecer aqui. Cada `/perguntar` em um canal começa do zero; use `/esquecer` dentro de um tópico.',
  forgotten:
    '{turns, plural, =0 {Este tópico não tinha nada para lembrar.} one {Esquecida: # pergunta anterior e a resposta dela.} many {Esquecidas: # de perguntas anteriores e as respostas.} other {Esquecidas: # perguntas anteriores e as respostas.}} O próximo `/perguntar` aqui começa do zero.',

  model_show:
    'Este canal usa `{model}`{unavailable, select, yes { (indisponível neste bot agora)} other {}}.',
  model_list:
    'Modelos que você pode usar: {models}.\nEste canal usa `{model}`{unavailable, select, yes { (indisponível agora; escolha outro)} other {}}; o padrão é `{default}`.',
  model_set: 'Este canal agora usa `{model}`.',

  system_prompt_set:
    'Prompt de sistema definido para este canal{thread, select, yes { (só este tópico)} other { e os tópicos dele}}. Ele vai junto com cada pergunta aqui: cerca de {tokens, number} tokens por vez.',
  system_prompt_cleared:
    'Prompt de sistema apagado. Este canal agora usa {source, select, parent {o prompt do canal principal} other {o prompt padrão}}.',
  system_prompt_show:
    '{source, select, channel {O prompt de sistema próprio deste canal:} parent {Este tópico segue o prompt de sistema de <#{parent}>:} other {Este canal usa o prompt de sistema padrão (`/prompt-do-sistema definir` o substitui):}}',

  usage_title: '**Uso da Mistral em {guild} — {month} (UTC)**',
  usage_used:
    'Usados **{used, number}** de {limit, number} tokens{limited, select, yes { ({share, number, ::percent .0})} other {}}; restam **{left, number}**. Renovação: {resetsAt}.',
  usage_split:
    'Prompt {prompt, number} · resposta {completion, number} · {requests, plural, one {# requisição} many {# de requisições} other {# requisições}}',
  usage_reserved: '({reserved, number} tokens reservados por perguntas em andamento.)',
  usage_near_share: 'Membros perto ou acima da sua parte: {members}.',
  usage_share_of: '{share, number, ::percent} da parte',
  usage_by_model: '**Por modelo**',
  usage_model_line:
    '• `{model}`: {total, number} (prompt {prompt, number} · resposta {completion, number}) · {requests, number} req.',
  usage_top_members: '**Membros mais ativos**',
  usage_member_line:
    '• {user}: {total, number} · {requests, number} req.{capped, select, yes { · {share, number, ::percent} de {cap, number}} other {}}',
  usage_more_members: '…e mais {count, number}.',
  usage_none: 'Nenhuma pergunta feita ainda este mês.',
  usage_shortened: '…(lista encurtada)',

  alert_budget_near:
    '**Alerta de orçamento:** este servidor usou **{share, number, ::percent}** do orçamento de tokens Mistral de {month} ({used, number} de {limit, number} tokens). Renovação: {resetsAt}. Detalhes: `/consumo`.',
  alert_budget_spent:
    '**Alerta de orçamento:** este servidor esgotou o orçamento de tokens Mistral de {month} ({used, number} de {limit, number} tokens). As perguntas serão recusadas até a renovação, {resetsAt}; um operador do bot pode aumentar o orçamento com `/orçamento definir`.',
  alert_key:
    '**Alerta de chave:** `{model}` usou {used, number} tokens{limited, select, yes { do seu limite mensal de {limit, number} tokens ({share, number, ::percent})} other {}} na chave Mistral deste bot em {month}, acima do limiar de alerta ({kind, select, tokens {{tokens, number} tokens} other {{percent, number, ::percent}}}, `KEY_MONTHLY_TOKEN_ALERT`).',
  alerts_off:
    'Alertas de orçamento: desativados. Escolha um canal com `/consumo canal-de-alertas:` para ser avisado em 80% e 100%.',
  alerts_on:
    'Alertas de orçamento: em 80% e 100%, em {channel} (`/consumo alertas:desativados` os desativa).{sent, select, none {} other { Este mês: {sent}.}}',
  alert_sent: '{threshold, number, ::percent} enviado{when}',
  alert_not_posted:
    '{threshold, number, ::percent} não pôde ser publicado{when}; verifique minhas permissões lá',
  alerts_set: '✅ Os alertas de orçamento serão publicados em {channel}.',
  alerts_stopped: '✅ Os alertas de orçamento estão desativados.',
  alerts_both: 'Escolha `canal-de-alertas:` ou `alertas:desativados`, não os dois.',
  alerts_foreign_channel: 'Esse canal não é deste servidor. Escolha um dos canais de texto deste servidor.',
  chart_description:
    'Gráfico de barras: tokens por dia em {month}, empilhados por modelo. Os números estão na mensagem.',
  chart_title: 'Tokens por dia, {month} (UTC)',
  chart_empty: 'Nenhum uso ainda este mês',

  budget_guild_id:
    'Informe um ID de servidor: 17 a 20 dígitos (clique com o botão direito no servidor → Copiar ID do servidor).',
  budget_member_both: 'Informe `tokens:` ou `limpar:`, não os dois.',
  budget_show:
    '{verb, select, set {Orçamento definido. } clear {Exceção removida. } other {}}Servidor `{guild}`: **{limit, number} tokens/mês** ({source, select, override {definido por um operador} other {o padrão, `GUILD_MONTHLY_TOKEN_BUDGET`}}). Usados {used, number}, restam {left, number}; renovação: {resetsAt}.',
  budget_member_show:
    '{verb, select, set {Limite do membro definido. } cleared {Limite do membro removido. } other {}}{user} pode usar **{limit, number} tokens/mês** dos {guildLimit, number} deste servidor ({source, select, override {definido por um administrador} other {a parte padrão, `MEMBER_MONTHLY_TOKEN_SHARE`}}). Usados {used, number}, restam {left, number}; renovação: {resetsAt}.',

  modal_ask_title: 'Perguntar à Mistral sobre esta mensagem',
  modal_ask_question: 'Sua pergunta',
  modal_ask_visibility: 'Quem vê a resposta',
  modal_ask_everyone: 'Todos no canal',
  modal_ask_only_me: 'Só eu',
  ask_about_expired:
    'Demorou demais e não tenho mais a mensagem. Escolha “Perguntar à Mistral” nela de novo.',

  cmd_ask: 'Faça uma pergunta ao modelo Mistral deste canal',
  cmd_ask_prompt: 'Sua pergunta',
  cmd_ask_attachment: 'Uma imagem, um arquivo de texto ou um PDF sobre o qual perguntar',
  cmd_ask_thread: 'Abra um tópico a partir da resposta para continuar a conversa lá',
  cmd_ask_private: 'Só você vê a resposta',
  cmd_model: 'Mostre ou escolha o modelo Mistral que este canal usa',
  cmd_model_set: 'Escolha o modelo deste canal (Gerenciar canais)',
  cmd_model_set_model: 'Nome do modelo',
  cmd_model_show: 'Mostre o modelo deste canal',
  cmd_model_list: 'Liste os modelos que você pode usar',
  cmd_system_prompt: 'Defina, mostre ou apague o prompt de sistema deste canal (Gerenciar canais)',
  cmd_system_prompt_set: 'Diga ao modelo como responder neste canal (os tópicos seguem o canal deles)',
  cmd_system_prompt_set_text: 'As instruções, até 1.500 caracteres',
  cmd_system_prompt_show: 'Mostre o prompt de sistema deste canal',
  cmd_system_prompt_clear: 'Volte ao prompt de sistema padrão',
  cmd_usage: 'O uso de tokens Mistral deste servidor neste mês (privado)',
  cmd_usage_alerts_channel: 'Publique alertas de orçamento (em 80% e 100% do orçamento mensal) neste canal',
  cmd_usage_alerts: 'Pare de publicar alertas de orçamento',
  cmd_budget: 'Orçamentos dos servidores (operadores) e limites dos membros (Gerenciar servidor)',
  cmd_budget_guild: 'ID do servidor (padrão: este servidor)',
  cmd_budget_tokens: 'Tokens por mês do calendário (UTC)',
  cmd_budget_set: 'Substitua o orçamento mensal de tokens de um servidor (operadores do bot)',
  cmd_budget_clear: 'Volte um servidor ao orçamento padrão (operadores do bot)',
  cmd_budget_show: 'Mostre o orçamento de um servidor e quanto ele usou (operadores do bot)',
  cmd_budget_member: 'Mostre, defina ou apague o limite mensal de um membro aqui (Gerenciar servidor)',
  cmd_budget_member_user: 'O membro',
  cmd_budget_member_clear: 'Volte o membro à parte padrão',
  ctx_ask: 'Perguntar à Mistral',
  ctx_summarize: 'Resumir',
  ctx_explain: 'Explicar',
  ctx_translate: 'Traduzir para meu idioma',
  cmd_forget: 'Apague a memória de conversa deste tópico; o próximo /perguntar aqui começa do zero',

  waiting:
    '⏳ Esperando minha vez com a Mistral: você está na posição **{position, number}** da fila (cerca de {eta, select, minutes {{minutes, number} min} other {{seconds, number} s}}).',
  waiting_stalled:
    '⏳ Esperando minha vez com a Mistral: você está na posição **{position, number}** da fila. A fila compartilhada do bot não está respondendo agora; sua pergunta vai assim que ela voltar.',
  thinking: '💭 Pensando… ({seconds, number} s)',

  answer_empty: '(O modelo devolveu uma resposta vazia.)',
  answer_cut_off:
    '-# ⚠️ A resposta foi cortada: {why, select, timed_out {a Mistral parou de enviar} other {a conexão com a Mistral caiu antes de a resposta terminar}}.',
  answer_length: '-# (Encurtada: a resposta atingiu o limite de tamanho.)',
  answer_stopped: '-# ⏹️ Interrompida.',
  answer_footer:
    '-# {model} · {estimated, select, yes {~} other {}}{tokens, number} tokens{turns, plural, =0 {} one { · # rodada anterior lembrada} many { · # de rodadas anteriores lembradas} other { · # rodadas anteriores lembradas}}{thought, select, none {} other { · pensou por {thought} s}}',
  thread_not_opened: 'Respondi, mas o Discord não me deixou abrir um tópico a partir da resposta aqui.',
  thread_name_default: 'Conversa',

  button_stop: 'Parar',
  button_regenerate: 'Gerar de novo',
  button_reasoning: 'Mostrar raciocínio',
  regenerated_note: '-# 🔁 Perguntado de novo por {user}.',
  reasoning_header: 'Como `{model}` raciocinou antes de responder:',
  reasoning_in_file: 'Como `{model}` raciocinou antes de responder (em anexo, porque é longo).',
  button_not_yours: 'Só o membro que perguntou, ou alguém com **Gerenciar mensagens**, pode fazer isso.',
  answer_not_running: 'Esta resposta não está mais sendo escrita (ela terminou ou o bot reiniciou).',
  answer_forgotten:
    'Não tenho mais esta pergunta (as respostas podem ser geradas de novo por {days, plural, one {# dia} many {# de dias} other {# dias}}). Pergunte de novo.',
  no_reasoning: 'Esta resposta não tem raciocínio para mostrar.',

  // Attachments, vision and reasoning models.
  attachment_too_many_images:
    'Você anexou {count, number} imagens; a Mistral lê no máximo {max, number} por pergunta. Pergunte sobre menos imagens de cada vez. Nada foi enviado nem descontado.',
  attachment_too_large:
    '`{name}` tem {mb, number} MB; aceito arquivos de no máximo {max, number} MB. Anexe uma cópia menor. Nada foi enviado nem descontado.',
  attachment_text_too_long:
    '`{name}`{others, plural, =0 { soma} one { e mais # arquivo somam} many { e mais # de arquivos somam} other { e mais # arquivos somam}} {exact, select, yes {cerca de} other {pelo menos}} {tokens, number} tokens; os arquivos de uma pergunta podem somar no máximo {limit, number} (`MAX_ATTACHMENT_TOKENS`). Anexe um arquivo mais curto ou cole a parte de que precisa. Nada foi enviado nem descontado.',
  attachment_not_readable:
    '{kind, select, image {`{name}` {format, select, none {não é uma imagem que eu consiga ler} other {é uma imagem {format}}}: a Mistral lê imagens PNG, JPEG, WEBP e GIF sem animação. Converta e anexe de novo.} pdf {`{name}` tem nome de PDF, mas não é um que eu consiga ler.} other {`{name}` não é um arquivo que eu consiga ler{format, select, none {} other { (formato: {format})}}: aceito imagens (PNG, JPEG, WEBP, GIF sem animação), arquivos de texto UTF-8 e PDFs.}} Nada foi enviado nem descontado.',
  attachment_animated:
    '`{name}` é animado; a Mistral só lê imagens estáticas. Anexe uma imagem parada (uma captura do quadro que você quer). Nada foi enviado nem descontado.',
  attachment_unavailable:
    'Não consegui baixar `{name}` do Discord{why, select, expired { (o link expirou: anexe o arquivo de novo)} timeout { (demorou demais)} other {}}. Nada foi enviado nem descontado.',
  vision_not_supported:
    'O modelo deste canal, `{model}`, não consegue ler imagens.{models, select, none { Nenhum modelo oferecido aqui consegue; um operador do bot pode definir `VISION_MODEL`.} other { Um administrador pode trocar para um que consiga com `/modelo definir`: {models}.}} Nada foi enviado nem descontado.',
  documents_not_supported:
    'O modelo deste canal, `{model}`, não consegue ler PDFs.{models, select, none { Nenhum modelo oferecido aqui consegue; um operador do bot pode indicar os que conseguem em `DOCUMENT_MODELS`.} other { Um administrador pode trocar para um que consiga com `/modelo definir`: {models}.}} Nada foi enviado nem descontado.',
  capabilities_unknown:
    'Ainda não sei quais modelos {what, select, images {conseguem ler imagens} documents {conseguem ler PDFs} other {raciocinam, nem como}}: a lista de modelos da Mistral não respondeu. Tente de novo em alguns minutos. Nada foi enviado nem descontado.',
  reasoning_effort_refused:
    'A Mistral recusou o esforço de raciocínio `{effort}` que este canal usa com `{model}`{efforts, select, none {: este modelo não aceita nenhum} other {; ele aceita {efforts}}}. Um administrador pode mudar isso com `/modelo definir`. Nada foi descontado.',
  reasoning_not_supported:
    '`{model}` não raciocina, então não aceita a opção `reasoning`.{models, select, none {} other { Modelos que raciocinam: {models}.}}',
  reasoning_effort_not_offered:
    '`{model}` aceita os esforços de raciocínio {efforts} (ou `default`, o próprio dele), não `{effort}`.',
  model_set_reasoning: 'Este canal agora usa `{model}` com esforço de raciocínio `{effort}`.',
  model_set_effort_cleared:
    'Este canal agora usa `{model}`. O esforço de raciocínio `{effort}` dele não se aplica a este modelo, então foi removido.',
  model_show_reasoning: 'Esforço de raciocínio: `{effort}`.',
  model_list_legend: '🖼️ lê imagens · 📄 lê PDFs · 💭 raciocina (`/modelo definir` com `raciocínio:`)',
  reasoning_choice_default: 'padrão (o do próprio modelo)',
  cmd_model_set_reasoning:
    'Quanto um modelo que raciocina pensa antes (os esforços que aceita; default = o dele)',
} satisfies Record<MessageCode, string>;
