import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PNG } from 'pngjs';
import type { InteractionHandle } from '../standins/discord.ts';
import { makeJpeg, makePng } from '../standins/images.ts';
import { countPromptTokens, defaultAnswer, messageText, type RecordedRequest } from '../standins/mistral.ts';
import { answered, FOOTER, PERMS, seen, startHarness, type Harness } from './harness.ts';

/** A PNG of noisy pixels stored uncompressed, so its size is its pixel count × 4. */
function noisyPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 2_654_435_761) >>> 24;
  return PNG.sync.write(png, { deflateLevel: 0 });
}

/** The chunks of a request's last (user) message, as they went over the wire. */
function userChunks(r: RecordedRequest | undefined): Array<Record<string, unknown>> {
  const content = r?.messages?.at(-1)?.content;
  return Array.isArray(content) ? (content as Array<Record<string, unknown>>) : [];
}

/** An `image_url` chunk's URL, whether sent as a string or as `{ url }`. */
function imageUrlOf(chunk: Record<string, unknown> | undefined): string {
  const field = chunk?.['image_url'];
  if (typeof field === 'string') return field;
  return typeof field === 'object' && field !== null ? String((field as { url?: unknown }).url) : '';
}

const dataUrlBytes = (url: string) => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
const n = (x: number) => x.toLocaleString('en-US');

/** A refusal: every message of the interaction is private, and their text. */
async function refusalOf(handle: InteractionHandle): Promise<string> {
  await handle.waitFor((x) => x.allMessages().some((m) => m.content !== ''), 15_000);
  assert.ok(
    handle.allMessages().every((m) => m.ephemeral),
    `not private: ${JSON.stringify(handle.allMessages())}`,
  );
  return seen(handle);
}

describe('end to end: images, text files and PDFs with questions', () => {
  let h: Harness;
  const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const month = () => new Date().toISOString().slice(0, 7);
  const usedBy = (g: number) => h.bot.store.usage.monthTotal(h.guilds[g]?.guildId ?? '', month());
  /** The bot's prompt estimate vs what the stand-in counted, per kind of attachment. */
  const figures: Record<string, { estimate: number; counted: number; ratio: number }> = {};

  /**
   * The tokens the bot held for the question now being answered (its prompt estimate plus
   * `max_tokens`), read from the store while the answer streams.
   */
  async function heldWhileAnswering(g: number, before: number): Promise<number> {
    const guildId = h.guilds[g]?.guildId ?? '';
    for (const until = Date.now() + 15_000; Date.now() < until; await sleep(20)) {
      const held = (await h.bot.store.usage.held(guildId)).total;
      if (held > 0 && completions().length > before) return held;
    }
    throw new Error('no hold seen while answering');
  }

  /** Records the estimate error of the answered request `r`, whose hold was `held`. */
  function measure(kind: string, r: RecordedRequest | undefined, held: number): void {
    const counted = r?.usage?.prompt_tokens ?? 0;
    const estimate = held - (r?.maxTokens ?? 0);
    figures[kind] = { estimate, counted, ratio: Math.round((estimate / counted) * 1_000) / 1_000 };
    assert.ok(estimate >= counted, `${kind}: estimated ${estimate}, Mistral counted ${counted}`);
  }

  async function setModel(g: number, model: string, channelId?: string): Promise<void> {
    const set = h.run(g, {
      command: 'model',
      subcommand: 'set',
      permissions: PERMS.member | PERMS.manageChannels,
      options: { model },
      ...(channelId ? { channelId } : {}),
    });
    await set.waitFor((x) => /now uses/.test(seen(x)));
  }

  before(async () => {
    h = await startHarness({
      guildCount: 3,
      // Documents: the stand-in's cards give OCR to mistral-ocr models only; this workspace's medium reads PDFs.
      mistral: { modelCards: { 'mistral-medium-latest': { capabilities: { ocr: true } } } },
    });
    await setModel(1, 'open-mistral-nemo');
    await setModel(2, 'mistral-medium-latest');
  });
  afterEach(() => h.assertCleanRun());
  beforeEach(() => {
    h.mistral.setAnswer(defaultAnswer);
    h.mistral.setLatencyMs(1_200);
    h.mistral.setFirstTokenMs(100);
  });
  after(async () => {
    console.log(`attachment estimate figures: ${JSON.stringify(figures)}`);
    await h.close();
  });

  it('GIVEN a PNG on /ask in a channel whose model reads images THEN it goes as an image chunk of the checked bytes, is answered, and the charge is what Mistral counted, image tokens included', async () => {
    const png = makePng(1_024, 768);
    const before = completions().length;
    const usedBefore = await usedBy(0);
    const handle = h.run(0, {
      command: 'ask',
      options: { prompt: 'What colour is this?', attachment: { filename: 'cat.png', bytes: png } },
    });
    const held = await heldWhileAnswering(0, before);
    await handle.waitFor(answered, 20_000);
    const req = completions()[before];
    assert.equal(req?.status, 200);
    assert.equal(req?.model, 'mistral-small-latest');
    const [text, image, ...rest] = userChunks(req);
    assert.deepEqual(rest, []);
    assert.equal(text?.['type'], 'text');
    assert.equal(text?.['text'], 'What colour is this?\n\n[image: cat.png, 1024×768]');
    assert.equal(image?.['type'], 'image_url');
    assert.match(imageUrlOf(image), /^data:image\/png;base64,/);
    assert.ok(dataUrlBytes(imageUrlOf(image)).equals(png), 'the bytes Discord served, unchanged');
    // 1024×768 → 37 × 28 patches of 28 px.
    assert.deepEqual(
      req?.images?.map((i) => [i.format, i.width, i.height, i.tokens]),
      [['png', 1_024, 768, 1_036]],
    );
    assert.equal(req?.usage?.prompt_tokens, countPromptTokens(req?.messages ?? []) + 1_036);
    assert.equal(handle.ephemeral, false);
    const total = req?.usage?.total_tokens ?? 0;
    assert.match(handle.allMessages().at(-1)?.content ?? '', new RegExp(`· ${n(total)} tokens$`));
    assert.equal((await usedBy(0)) - usedBefore, total);
    measure('image 1024×768 (mistral-small)', req, held);
  });

  it('GIVEN a 3000×2000 image THEN the stand-in scales it to 1540 px and the hold still covers it', async () => {
    const before = completions().length;
    const handle = h.run(0, {
      command: 'ask',
      options: { prompt: 'Describe it', attachment: { filename: 'wide.png', bytes: makePng(3_000, 2_000) } },
    });
    const held = await heldWhileAnswering(0, before);
    await handle.waitFor(answered, 20_000);
    const req = completions()[before];
    assert.deepEqual(
      req?.images?.map((i) => i.tokens),
      [2_035],
    );
    measure('image 3000×2000 (mistral-small)', req, held);
  });

  it('GIVEN an image in a channel whose model cannot read images THEN it is refused privately, naming the models that can, and nothing is sent or charged', async () => {
    const before = completions().length;
    const usedBefore = await usedBy(1);
    const handle = h.run(1, {
      command: 'ask',
      options: { prompt: 'What is this?', attachment: { filename: 'cat.png', bytes: makePng(64, 64) } },
    });
    const text = await refusalOf(handle);
    assert.match(text, /`open-mistral-nemo` cannot read images/);
    assert.match(text, /`mistral-small-latest`/);
    assert.match(text, /`pixtral-12b-2409`/);
    assert.doesNotMatch(text, /`mistral-large-latest`/, 'only models that read images are named');
    assert.equal(completions().length, before);
    assert.equal(await usedBy(1), usedBefore);
  });

  it('GIVEN "Explain" on a message with nine images THEN it is refused privately before anything is sent; with two images both go, noted inside the quoted message', async () => {
    const g = h.guilds[0];
    assert.ok(g);
    const nine = h.discord.postMessage({
      guildId: g.guildId,
      channelId: g.channelId,
      authorName: 'Ada',
      content: 'Look at my holiday',
      attachments: Array.from({ length: 9 }, (_, i) => ({
        filename: `p${i}.png`,
        bytes: makePng(32 + i, 32),
      })),
    });
    const before = completions().length;
    const refused = h.discord.messageCommand({
      guildId: g.guildId,
      channelId: g.channelId,
      command: 'Explain',
      messageId: nine.id,
    });
    assert.match(await refusalOf(refused), /You attached 9 images; Mistral reads at most 8 in one question/);
    assert.equal(completions().length, before);

    const two = h.discord.postMessage({
      guildId: g.guildId,
      channelId: g.channelId,
      authorName: 'Ada',
      content: 'Which is bigger?',
      attachments: [
        { filename: 'a.jpg', bytes: makeJpeg(200, 100) },
        { filename: 'b.png', bytes: makePng(100, 300) },
      ],
    });
    const handle = h.discord.messageCommand({
      guildId: g.guildId,
      channelId: g.channelId,
      command: 'Explain',
      messageId: two.id,
    });
    await handle.waitFor(answered, 20_000);
    const req = completions()[before];
    const chunks = userChunks(req);
    assert.deepEqual(
      chunks.map((c) => c['type']),
      ['text', 'image_url', 'image_url'],
    );
    assert.match(
      String(chunks[0]?.['text']),
      /<discord_message author="Ada">\nWhich is bigger\?\n\[image: a\.jpg, 200×100\]\n\[image: b\.png, 100×300\]\n<\/discord_message>/,
    );
    assert.deepEqual(
      req?.images?.map((i) => [i.format, i.width, i.height]),
      [
        ['jpeg', 200, 100],
        ['png', 100, 300],
      ],
    );
  });

  it('GIVEN an 11 MB image (a server whose members may upload 25 MB) THEN it is refused privately, nothing sent', async () => {
    const bytes = noisyPng(1_700, 1_700);
    assert.ok(bytes.length > 11_000_000 && bytes.length < 12_000_000);
    const before = completions().length;
    const handle = h.run(0, {
      command: 'ask',
      attachmentSizeLimit: 25 * 1_048_576,
      options: { prompt: 'Is this sharp?', attachment: { filename: 'huge.png', bytes } },
    });
    assert.match(await refusalOf(handle), /`huge\.png` is 11\.\d MB; I can take files of at most 10 MB/);
    assert.equal(completions().length, before);
  });

  it('GIVEN a 20 kB .txt THEN it is answered with the whole file in the prompt as a fenced block named after it, charged what Mistral counted', async () => {
    const lines: string[] = [];
    for (let i = 1; lines.join('\n').length < 20_480; i++)
      lines.push(
        `${String(i).padStart(4, '0')} INFO request handled in ${(i * 37) % 1000} ms, user=${i % 17}`,
      );
    const content = `${lines.join('\n').slice(0, 20_479)}\n`;
    assert.equal(Buffer.byteLength(content), 20_480);
    const before = completions().length;
    const usedBefore = await usedBy(0);
    const handle = h.run(0, {
      command: 'ask',
      options: {
        prompt: 'Which user is slowest?',
        attachment: {
          filename: 'server.txt',
          bytes: Buffer.from(content),
          contentType: 'text/plain; charset=utf-8',
        },
      },
    });
    const held = await heldWhileAnswering(0, before);
    await handle.waitFor(answered, 20_000);
    const req = completions()[before];
    const sentText = messageText(req?.messages?.at(-1)?.content);
    assert.equal(
      sentText,
      `Which user is slowest?\n\n[file: server.txt, 20.0 kB]\n\n<attachment name="server.txt">\n\`\`\`text\n${content}\`\`\`\n</attachment>`,
    );
    assert.equal((await usedBy(0)) - usedBefore, req?.usage?.total_tokens);
    measure('text file 20 kB', req, held);
  });

  it('GIVEN a binary file THEN it is refused privately, naming the file, and nothing is sent', async () => {
    const before = completions().length;
    const bytes = Buffer.from(Array.from({ length: 4_096 }, (_, i) => (i * 131 + 7) % 256));
    const handle = h.run(0, {
      command: 'ask',
      options: { prompt: 'What is in here?', attachment: { filename: 'dump.bin', bytes } },
    });
    assert.match(
      await refusalOf(handle),
      /`dump\.bin` is not a file I can read: I take images .*UTF-8 text files and PDFs/,
    );
    assert.equal(completions().length, before);
  });

  it('GIVEN a PDF THEN a model whose card reads documents gets it as a document chunk and answers; another model refuses it privately, naming the one that reads it', async () => {
    const pdf = Buffer.from(
      `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n${'% filler\n'.repeat(330)}%%EOF\n`,
    );
    const before = completions().length;
    const handle = h.run(2, {
      command: 'ask',
      options: { prompt: 'Summarise the report', attachment: { filename: 'report.pdf', bytes: pdf } },
    });
    const held = await heldWhileAnswering(2, before);
    await handle.waitFor(answered, 20_000);
    const req = completions()[before];
    assert.equal(req?.model, 'mistral-medium-latest');
    const doc = userChunks(req)[1];
    assert.equal(doc?.['type'], 'document_url');
    assert.equal(doc?.['document_name'], 'report.pdf');
    assert.ok(dataUrlBytes(String(doc?.['document_url'])).equals(pdf));
    assert.deepEqual(
      req?.documents?.map((d) => [d.name, d.bytes, d.tokens]),
      [['report.pdf', pdf.length, Math.ceil(pdf.length / 4)]],
    );
    measure('PDF 3 kB', req, held);

    const refused = h.run(0, {
      command: 'ask',
      options: { prompt: 'Summarise the report', attachment: { filename: 'report.pdf', bytes: pdf } },
    });
    const text = await refusalOf(refused);
    assert.match(text, /`mistral-small-latest` cannot read PDFs/);
    assert.match(text, /`mistral-medium-latest`/);
    assert.equal(completions().length, before + 1);
  });

  it('GIVEN an image asked about in a thread THEN the next question there remembers a note of it, not the image', async () => {
    const g = h.guilds[0];
    assert.ok(g);
    h.mistral.setAnswer(() => 'A black cat.');
    const before = completions().length;
    const first = h.run(0, {
      command: 'ask',
      channelId: g.threadId,
      options: {
        prompt: 'What animal is this?',
        attachment: { filename: 'cat.png', bytes: makePng(1_024, 768) },
      },
    });
    await first.waitFor(answered, 20_000);
    const second = h.run(0, {
      command: 'ask',
      channelId: g.threadId,
      options: { prompt: 'And its colour?' },
    });
    await second.waitFor(answered, 20_000);
    const req = completions()[before + 1];
    assert.deepEqual(
      req?.messages?.slice(1).map((m) => [m.role, typeof m.content === 'string' ? m.content : 'chunks']),
      [
        ['user', 'What animal is this?\n\n[image: cat.png, 1024×768]'],
        ['assistant', 'A black cat.'],
        ['user', 'And its colour?'],
      ],
    );
    assert.equal(req?.images, undefined, 'no image was sent again');
    assert.match(second.allMessages().at(-1)?.content ?? '', / · 1 earlier turn remembered$/);
  });
});

describe('end to end: VISION_MODEL takes the images a channel’s model cannot read', () => {
  let h: Harness;
  const completions = () => h.mistral.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const month = () => new Date().toISOString().slice(0, 7);

  before(async () => {
    h = await startHarness({ guildCount: 1, env: { VISION_MODEL: 'pixtral-12b-2409' } });
    const set = h.run(0, {
      command: 'model',
      subcommand: 'set',
      permissions: PERMS.member | PERMS.manageChannels,
      options: { model: 'open-mistral-nemo' },
    });
    await set.waitFor((x) => /now uses/.test(seen(x)));
  });
  afterEach(() => h.assertCleanRun());
  after(() => h.close());

  it('GIVEN VISION_MODEL and a channel on a model without vision THEN a question with an image goes to the vision model, whose name the footer shows and the ledger charges; a text question stays on the channel’s model', async () => {
    const before = completions().length;
    const handle = h.run(0, {
      command: 'ask',
      options: {
        prompt: 'What is on this photo?',
        attachment: { filename: 'photo.jpg', bytes: makeJpeg(640, 480) },
      },
    });
    await handle.waitFor(answered, 20_000);
    const req = completions()[before];
    assert.equal(req?.model, 'pixtral-12b-2409');
    // Pixtral: 640×480 in 16-pixel patches.
    assert.deepEqual(
      req?.images?.map((i) => i.tokens),
      [40 * 30],
    );
    const footer = FOOTER.exec(handle.allMessages().at(-1)?.content ?? '');
    assert.equal(footer?.[1], 'pixtral-12b-2409');
    assert.equal(footer?.[3], n(req?.usage?.total_tokens ?? 0));
    const text = h.run(0, { command: 'ask', options: { prompt: 'Just text now' } });
    await text.waitFor(answered, 20_000);
    assert.equal(completions()[before + 1]?.model, 'open-mistral-nemo');
    const report = await h.bot.store.usage.monthReport(h.guilds[0]?.guildId ?? '', month());
    assert.equal(
      report.byModel.find((m) => m.model === 'pixtral-12b-2409')?.totalTokens,
      req?.usage?.total_tokens,
    );
  });
});
