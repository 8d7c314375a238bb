import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import {
  AttachmentReader,
  attachmentsOf,
  decodeText,
  declaredKind,
  estimateImageTokens,
  readImageHeader,
  sniff,
  type LocatedAttachment,
} from '../../src/ask/attachments.ts';
import { attachmentContent, fileBlock, userTurn } from '../../src/ask/prompt.ts';
import type { Attachment, PromptPart } from '../../src/ask/request.ts';
import { UserError } from '../../src/errors.ts';
import { refusalOf } from '../../src/mistral/client.ts';
import { ModelDirectory, refreshCapabilities, type ModelCard } from '../../src/mistral/models.ts';
import { createLogger } from '../../src/log.ts';
import { makeGif, makeJpeg, makePng, makeWebp, readImageInfo } from '../standins/images.ts';
import { countPromptTokens, imageTokens } from '../standins/mistral.ts';
import { capabilityRefusal, resolveCard } from '../standins/mistral/models.ts';
import { invalidArgsBody } from '../standins/mistral/wire.ts';

const silent = createLogger('silent');

/** A refusal with this code (and, when given, these parameters). */
function refusedWith(code: string, params: Record<string, unknown> = {}) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const [k, v] of Object.entries(params)) assert.equal(error.params[k], v, `param ${k}`);
    return true;
  };
}

/** A PNG of random pixels stored without compression: its size is what it says. */
function noisyPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 2_654_435_761) >>> 24;
  return PNG.sync.write(png, { deflateLevel: 0 });
}

describe('attachments: what a file is, by its bytes', () => {
  it('GIVEN real PNG, JPEG, WEBP and GIF files of random sizes THEN the header reader finds the format and pixels the stand-in reads', () => {
    const sizes = fc.record({ w: fc.integer({ min: 1, max: 700 }), h: fc.integer({ min: 1, max: 700 }) });
    fc.assert(
      fc.property(sizes, fc.constantFrom('png', 'jpeg', 'webp', 'gif'), ({ w, h }, kind) => {
        const bytes =
          kind === 'png'
            ? makePng(w, h)
            : kind === 'jpeg'
              ? makeJpeg(w, h)
              : kind === 'webp'
                ? makeWebp(w * 20, h * 20)
                : makeGif(Math.ceil(w / 8), Math.ceil(h / 8));
        const expected = readImageInfo(bytes);
        assert.ok(expected, 'the stand-in reads the file');
        const header = readImageHeader(bytes);
        assert.deepEqual(
          [header?.format, header?.width, header?.height, header?.animated],
          [expected.format, expected.width, expected.height, expected.animated === true],
        );
        const found = sniff(bytes);
        assert.equal(found.kind, 'image');
      }),
      { numRuns: 40 },
    );
  });

  it('GIVEN an animated GIF THEN it is an image marked animated, as the stand-in reads it', () => {
    const gif = makeGif(6, 4, 3);
    assert.equal(readImageInfo(gif)?.animated, true);
    assert.deepEqual(readImageHeader(gif), { format: 'gif', width: 6, height: 4, animated: true });
  });

  it('GIVEN a PDF, archives, programs and other image formats THEN each is named by its magic number, never taken for text', () => {
    assert.equal(sniff(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n')).kind, 'pdf');
    const binary = (bytes: Buffer) => {
      const found = sniff(bytes);
      return found.kind === 'binary' ? (found.format ?? 'unknown') : found.kind;
    };
    const pad = (head: number[] | string) =>
      Buffer.concat([Buffer.from(head as never), Buffer.from([0, 0xff, 0xfe, 0x00, 0x81, 0x90, 0, 0, 1, 2])]);
    assert.equal(binary(pad('PK\u0003\u0004')), 'ZIP');
    assert.equal(binary(pad([0x1f, 0x8b, 8, 0])), 'GZIP');
    assert.equal(binary(pad([0x7f, 0x45, 0x4c, 0x46])), 'ELF');
    assert.equal(binary(pad('MZ\u0090\u0000')), 'EXE');
    assert.equal(binary(pad([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63])), 'HEIC');
    assert.equal(binary(pad([0x49, 0x49, 0x2a, 0])), 'TIFF');
    assert.equal(binary(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xfd, 0x10, 0x00])), 'unknown');
    // Two letters a magic number could start with, followed by text, are text.
    assert.equal(sniff(Buffer.from('BMW and Audi are car makers.\n')).kind, 'text');
    assert.equal(sniff(Buffer.from('MZ is a short name.\n')).kind, 'text');
  });

  it('GIVEN random bytes THEN sniff never throws, and whatever it calls text decodes back to those bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
        const found = sniff(raw);
        if (found.kind === 'text') {
          const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
          if (raw[0] !== 0xff && raw[0] !== 0xfe)
            assert.deepEqual(Buffer.from(found.text, 'utf8'), Buffer.from(bom ? raw.subarray(3) : raw));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('attachments: UTF-8 text or binary', () => {
  it('GIVEN any text without control characters THEN its UTF-8 bytes decode to it, with or without a BOM', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        // eslint-disable-next-line no-control-regex
        const clean = text.replace(/[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/g, '');
        assert.equal(decodeText(Buffer.from(clean, 'utf8')), clean);
        assert.equal(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(clean)])), clean);
      }),
    );
  });

  it('GIVEN UTF-16 with a BOM, accents, CJK, emoji and a coloured log THEN they are text', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße, 世界 👋\r\n', 'utf16le')]);
    assert.equal(decodeText(utf16), 'Grüße, 世界 👋\r\n');
    assert.equal(
      decodeText(Buffer.from('\u001b[31mERROR\u001b[0m disk full\n')),
      '\u001b[31mERROR\u001b[0m disk full\n',
    );
  });

  it('GIVEN Latin-1 bytes, a NUL, or many control characters THEN they are not text', () => {
    assert.equal(decodeText(Buffer.from('caf\xe9 cr\xe8me', 'latin1')), undefined);
    assert.equal(decodeText(Buffer.from('plain text\u0000with a NUL')), undefined);
    assert.equal(decodeText(Buffer.from(`${'\u0001\u0002'.repeat(5)}${'a'.repeat(500)}`)), undefined);
    assert.equal(decodeText(Buffer.from(`\u0001${'a'.repeat(500)}`)), `\u0001${'a'.repeat(500)}`);
  });

  it('GIVEN Discord’s names and content types THEN the declared kind is what a member would expect', () => {
    const kind = (name: string, contentType?: string) => declaredKind({ name, contentType });
    assert.equal(kind('cat.png', 'image/png'), 'image');
    assert.equal(kind('IMG_0001.HEIC'), 'image');
    assert.equal(kind('report.pdf', 'application/pdf'), 'pdf');
    assert.equal(kind('main.py'), 'text');
    assert.equal(kind('data', 'application/json; charset=utf-8'), 'text');
    assert.equal(kind('drawing.svg', 'image/svg+xml'), 'text');
    assert.equal(kind('archive.zip', 'application/zip'), 'other');
  });
});

describe('attachments: image token estimates', () => {
  const models = ['mistral-small-latest', 'mistral-medium-latest', 'pixtral-12b-2409', 'pixtral-large-2411'];

  it('GIVEN random image sizes THEN the estimate is at least the stand-in’s count and at most twice it, within 10% once both sides span 10 patches', () => {
    let worst = 1;
    let worstLarge = 1;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom(...models),
        (w, h, model) => {
          const truth = imageTokens(w, h, model);
          const estimate = estimateImageTokens(w, h, model);
          assert.ok(estimate >= truth, `${w}×${h} on ${model}: ${estimate} < ${truth}`);
          assert.ok(estimate <= 2 * truth, `${w}×${h} on ${model}: ${estimate} > 2 × ${truth}`);
          worst = Math.max(worst, estimate / truth);
          const pixtral = model.startsWith('pixtral');
          const [cap, patch] = pixtral ? [1_024, 16] : [1_540, 28];
          const scale = Math.min(1, cap / Math.max(w, h));
          if (Math.min(w, h) * scale >= 10 * patch) {
            assert.ok(estimate <= 1.1 * truth, `${w}×${h} on ${model}: ${estimate} vs ${truth}`);
            worstLarge = Math.max(worstLarge, estimate / truth);
          }
        },
      ),
      { numRuns: 5_000 },
    );
    console.log(
      `image estimate / stand-in: worst ${worst.toFixed(3)}, worst with both sides ≥ 10 patches ${worstLarge.toFixed(3)}`,
    );
  });

  it('GIVEN the sizes the stand-in’s own tests use THEN the estimate is the patch count plus one per row', () => {
    // 3000×2000 fits 1540×1026 → 55 × 37 patches (2,035 for the stand-in) + 37 row ends.
    assert.equal(imageTokens(3_000, 2_000, 'mistral-small-latest'), 2_035);
    assert.equal(estimateImageTokens(3_000, 2_000, 'mistral-small-latest'), 2_035 + 55);
    assert.equal(imageTokens(1_600, 800, 'pixtral-12b-2409'), 64 * 32);
    assert.equal(estimateImageTokens(1_600, 800, 'pixtral-12b-2409'), 64 * 32 + 64);
  });
});

describe('attachments: the reader, over a real HTTP server', () => {
  const files = new Map<string, { bytes: Buffer; status?: number; hang?: boolean; lie?: number }>();
  const fetched: string[] = [];
  let base = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    fetched.push(req.url ?? '');
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('This content is no longer available.');
      return;
    }
    if (file.hang) return;
    res.writeHead(file.status ?? 200, { 'content-type': 'application/octet-stream' });
    res.end(file.bytes);
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const served = (
    name: string,
    bytes: Buffer,
    extra: { size?: number; contentType?: string } = {},
  ): Attachment => {
    files.set(`/${name}`, { bytes });
    return {
      name,
      url: `${base}/${name}`,
      contentType: extra.contentType,
      size: extra.size ?? bytes.length,
    };
  };
  const located = (attachments: readonly Attachment[]): LocatedAttachment[] =>
    attachments.map((attachment, i) => ({ attachment, partIndex: i + 1, inQuote: false }));
  const reader = (maxFileTokens = 32_000, fetchTimeoutMs = 2_000) =>
    new AttachmentReader({ maxFileTokens, fetchTimeoutMs });

  it('GIVEN nine images or an 11 MB image THEN they are refused from Discord’s description alone, before any download', async () => {
    fetched.length = 0;
    const nine = Array.from({ length: 9 }, (_, i) =>
      served(`p${i}.png`, makePng(4, 4), { contentType: 'image/png' }),
    );
    await assert.rejects(
      reader().read(located(nine)),
      refusedWith('attachment_too_many_images', { count: 9, max: 8 }),
    );
    const big = served('big.png', makePng(2, 2), { contentType: 'image/png', size: 11 * 1_048_576 });
    await assert.rejects(
      reader().read(located([big])),
      refusedWith('attachment_too_large', { mb: 11, max: 10 }),
    );
    assert.deepEqual(fetched, [], 'nothing was downloaded');
  });

  it('GIVEN an 11 MB image that Discord described as small THEN the download stops at 10 MB and it is refused', async () => {
    const bytes = noisyPng(1_700, 1_700);
    assert.ok(bytes.length > 11_000_000);
    const liar = served('liar.png', bytes, { contentType: 'image/png', size: 2_000 });
    await assert.rejects(reader().read(located([liar])), refusedWith('attachment_too_large', { max: 10 }));
  });

  it('GIVEN eight images, a 20 kB text file and a PDF THEN each is read by its bytes into what the prompt needs', async () => {
    const images = Array.from({ length: 8 }, (_, i) =>
      served(`i${i}.jpg`, makeJpeg(64 + i, 48), { contentType: 'image/jpeg' }),
    );
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(460).slice(0, 20_480);
    const txt = served('notes.txt', Buffer.from(text), { contentType: 'text/plain; charset=utf-8' });
    const pdfBytes = Buffer.from(`%PDF-1.4\n${'x'.repeat(2_991)}`);
    const pdf = served('report.pdf', pdfBytes, { contentType: 'application/pdf' });
    const read = await reader().read(located([...images, txt, pdf]));
    assert.deepEqual(
      read.map((r) => r.kind),
      [...Array.from({ length: 8 }, () => 'image'), 'text', 'pdf'],
    );
    const first = read[0];
    assert.ok(first?.kind === 'image');
    assert.deepEqual(first.image, { format: 'jpeg', width: 64, height: 48, animated: false });
    assert.equal(first.dataUrl, `data:image/jpeg;base64,${makeJpeg(64, 48).toString('base64')}`);
    const file = read[8];
    assert.ok(file?.kind === 'text');
    assert.equal(file.text, text);
    const doc = read[9];
    assert.ok(doc?.kind === 'pdf');
    assert.equal(doc.tokens, 1_000);
    assert.equal(doc.dataUrl, `data:application/pdf;base64,${pdfBytes.toString('base64')}`);
  });

  it('GIVEN text files over MAX_ATTACHMENT_TOKENS THEN they are refused: by size before downloading, by content after', async () => {
    fetched.length = 0;
    const huge = served('huge.log', Buffer.alloc(10), { contentType: 'text/plain', size: 50_000 });
    await assert.rejects(
      reader(12_000).read(located([huge])),
      refusedWith('attachment_text_too_long', { tokens: 12_500, limit: 12_000, exact: 'no' }),
    );
    assert.deepEqual(fetched, []);
    const a = served('a.md', Buffer.from('a'.repeat(900)));
    const b = served('b.md', Buffer.from('b'.repeat(600)));
    await assert.rejects(
      reader(400).read(located([a, b])),
      refusedWith('attachment_text_too_long', {
        name: 'a.md',
        others: 1,
        tokens: 1_000,
        limit: 400,
        exact: 'yes',
      }),
    );
  });

  it('GIVEN a binary file, text named as an image, an animated GIF or a fake PDF THEN each is refused naming the file and what it is', async () => {
    const zip = served(
      'notes.txt',
      Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from([0, 0xff, 0, 0x90])]),
    );
    await assert.rejects(
      reader().read(located([zip])),
      refusedWith('attachment_not_readable', { name: 'notes.txt', kind: 'other', format: 'ZIP' }),
    );
    const notImage = served('photo.png', Buffer.from('just some text'), { contentType: 'image/png' });
    await assert.rejects(
      reader().read(located([notImage])),
      refusedWith('attachment_not_readable', { kind: 'image', format: 'none' }),
    );
    const heic = served(
      'IMG_1.heic',
      Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypheic'), 0, 0xff, 0x81, 0]),
    );
    await assert.rejects(
      reader().read(located([heic])),
      refusedWith('attachment_not_readable', { kind: 'image', format: 'HEIC' }),
    );
    const gif = served('dance.gif', makeGif(4, 4, 2), { contentType: 'image/gif' });
    await assert.rejects(
      reader().read(located([gif])),
      refusedWith('attachment_animated', { name: 'dance.gif' }),
    );
    const fakePdf = served('paper.pdf', Buffer.from('not a pdf at all'), { contentType: 'application/pdf' });
    await assert.rejects(
      reader().read(located([fakePdf])),
      refusedWith('attachment_not_readable', { kind: 'pdf' }),
    );
  });

  it('GIVEN an expired link, a failing CDN or one that never answers THEN the member is told the file could not be downloaded, and why', async () => {
    const gone: Attachment = {
      name: 'old.png',
      url: `${base}/expired.png`,
      contentType: 'image/png',
      size: 10,
    };
    await assert.rejects(
      reader().read(located([gone])),
      refusedWith('attachment_unavailable', { why: 'expired' }),
    );
    files.set('/broken.txt', { bytes: Buffer.from('x'), status: 500 });
    const broken: Attachment = {
      name: 'broken.txt',
      url: `${base}/broken.txt`,
      contentType: 'text/plain',
      size: 1,
    };
    await assert.rejects(
      reader().read(located([broken])),
      refusedWith('attachment_unavailable', { why: 'failed' }),
    );
    files.set('/slow.txt', { bytes: Buffer.from('x'), hang: true });
    const slow: Attachment = {
      name: 'slow.txt',
      url: `${base}/slow.txt`,
      contentType: 'text/plain',
      size: 1,
    };
    const started = performance.now();
    await assert.rejects(
      reader(12_000, 300).read(located([slow])),
      refusedWith('attachment_unavailable', { why: 'timeout' }),
    );
    assert.ok(performance.now() - started < 2_000, 'the timeout is bounded');
  });
});

describe('attachments: the prompt', () => {
  const image = (name: string, partIndex: number, inQuote: boolean) => ({
    attachment: { name, url: 'https://cdn.example/x', contentType: 'image/png', size: 100 },
    partIndex,
    inQuote,
    kind: 'image' as const,
    image: { format: 'png' as const, width: 1_024, height: 768, animated: false },
    bytes: 100,
    dataUrl: 'data:image/png;base64,AAAA',
  });

  it('GIVEN a file holding fences THEN its block uses a longer fence, names the file and keeps its text whole', () => {
    const text = 'Run:\n```sh\nmake\n```\nand ````four````.';
    const block = fileBlock('READ"ME<>.md', 'markdown', text);
    assert.equal(
      block,
      `<attachment name="README.md">\n\`\`\`\`\`markdown\n${text}\n\`\`\`\`\`\n</attachment>`,
    );
  });

  it('GIVEN an image, a text file and a quoted message’s image THEN the model gets chunks, notes and the file; memory keeps the words and notes only', () => {
    const parts: PromptPart[] = [
      { kind: 'text', text: 'Compare these' },
      { kind: 'attachment', attachment: image('cat.png', 1, false).attachment },
      { kind: 'quote', author: 'Ann', text: 'look', attachments: [image('dog.png', 2, true).attachment] },
    ];
    assert.equal(attachmentsOf(parts).length, 2);
    const text = {
      attachment: { name: 'notes.txt', url: 'https://cdn.example/n', contentType: 'text/plain', size: 5 },
      partIndex: 3,
      inQuote: false,
      kind: 'text' as const,
      text: 'hello',
      bytes: 5,
      tokens: 2,
    };
    const extra = attachmentContent(
      [image('cat.png', 1, false), image('dog.png', 2, true), text],
      'mistral-small-latest',
      () => 'text',
    );
    const turn = userTurn({ task: 'ask', parts, locale: 'en-US', guildLocale: undefined }, 'English', extra);
    assert.ok(Array.isArray(turn.content));
    const [first, ...media] = turn.content as ReadonlyArray<{ type: string; text?: string; url?: string }>;
    assert.deepEqual(
      media.map((m) => [m.type, m.url]),
      [
        ['image_url', 'data:image/png;base64,AAAA'],
        ['image_url', 'data:image/png;base64,AAAA'],
      ],
    );
    assert.equal(
      first?.text,
      'Compare these\n\n<discord_message author="Ann">\nlook\n[image: dog.png, 1024×768]\n</discord_message>\n\n' +
        '[image: cat.png, 1024×768]\n\n[file: notes.txt, 5 B]\n\n<attachment name="notes.txt">\n```text\nhello\n```\n</attachment>',
    );
    assert.equal(
      turn.remembered,
      'Compare these\n\n<discord_message author="Ann">\nlook\n[image: dog.png, 1024×768]\n</discord_message>\n\n' +
        '[image: cat.png, 1024×768]\n\n[file: notes.txt, 5 B]',
    );
    // Two 1024×768 images: 37 × 28 patches each, plus a token per row.
    assert.equal(extra.tokens, 2 * estimateImageTokens(1_024, 768, 'mistral-small-latest'));
    // The estimate of the text is at least what the stand-in counts for it.
    assert.ok(turn.tokens - extra.tokens >= countPromptTokens([{ role: 'user', content: first?.text }]));
  });
});

describe('capabilities: model cards, overrides and Mistral’s refusals', () => {
  const card = (
    id: string,
    c: Partial<ModelCard['capabilities']> = {},
    aliases: string[] = [],
  ): ModelCard => ({
    id,
    aliases,
    capabilities: { vision: false, documents: false, reasoning: false, ...c },
  });
  const catalogue = ['mistral-small-latest', 'open-mistral-nemo', 'pixtral-12b-2409', 'custom-reasoner'];

  it('GIVEN learned cards THEN images, PDFs and reasoning follow them, aliases included, and the operator’s lists replace them', () => {
    const plain = new ModelDirectory(catalogue, 'mistral-small-latest');
    assert.equal(plain.decides('vision'), false, 'nothing is decided before the cards');
    plain.learnCapabilities([
      card('mistral-small-2603', { vision: true, reasoning: true }, ['mistral-small-latest']),
      card('pixtral-12b-2409', { vision: true }),
      card('open-mistral-nemo'),
      card('custom-reasoner', { reasoning: true }),
    ]);
    assert.equal(plain.decides('vision'), true);
    assert.deepEqual(plain.visionModels(), ['mistral-small-latest', 'pixtral-12b-2409']);
    assert.deepEqual(plain.documentModels(), []);
    assert.deepEqual(plain.reasoningEfforts('mistral-small-latest'), ['none', 'high']);
    assert.deepEqual(plain.reasoningEfforts('custom-reasoner'), [
      'none',
      'minimal',
      'low',
      'medium',
      'high',
      'xhigh',
    ]);
    assert.deepEqual(plain.reasoningEfforts('open-mistral-nemo'), []);
    const overridden = new ModelDirectory(catalogue, 'mistral-small-latest', {
      visionModels: ['open-mistral-nemo'],
      documentModels: ['mistral-small-latest'],
      reasoningEfforts: { 'custom-reasoner': ['low', 'high'] },
      visionModel: 'pixtral-12b-2409',
    });
    assert.equal(overridden.decides('documents'), true);
    assert.deepEqual(overridden.visionModels(), ['open-mistral-nemo', 'pixtral-12b-2409']);
    assert.deepEqual(overridden.documentModels(), ['mistral-small-latest']);
    assert.deepEqual(overridden.reasoningEfforts('custom-reasoner'), ['low', 'high']);
  });

  it('GIVEN the stand-in’s 400s for an effort, images and documents THEN the adapter reads what was refused and the directory learns it', () => {
    const model = 'custom-reasoner';
    const standInCard = resolveCard(model, {
      capabilities: { reasoning: true },
      reasoningEfforts: ['low', 'high'],
    });
    const message = capabilityRefusal(standInCard, { model, reasoning_effort: 'medium' }, 0, 0, 8);
    assert.ok(message);
    const refusal = refusalOf(JSON.stringify(invalidArgsBody(message)));
    assert.deepEqual(refusal, { kind: 'effort', accepted: [...standInCard.reasoningEfforts] });
    const nemo = resolveCard('open-mistral-nemo', undefined);
    const noEffort = capabilityRefusal(
      nemo,
      { model: 'open-mistral-nemo', reasoning_effort: 'high' },
      0,
      0,
      8,
    );
    assert.deepEqual(refusalOf(JSON.stringify(invalidArgsBody(noEffort ?? ''))), {
      kind: 'effort',
      accepted: undefined,
    });
    const noImages = capabilityRefusal(nemo, { model: 'open-mistral-nemo' }, 1, 0, 8);
    assert.deepEqual(refusalOf(JSON.stringify(invalidArgsBody(noImages ?? ''))), { kind: 'images' });
    const noDocs = capabilityRefusal(nemo, { model: 'open-mistral-nemo' }, 0, 1, 8);
    assert.deepEqual(refusalOf(JSON.stringify(invalidArgsBody(noDocs ?? ''))), { kind: 'documents' });

    const directory = new ModelDirectory(catalogue, 'mistral-small-latest');
    directory.learnCapabilities([
      card(model, { reasoning: true }),
      card('pixtral-12b-2409', { vision: true }),
    ]);
    directory.learnRefusal(model, refusal ?? { kind: 'images' });
    assert.deepEqual(directory.reasoningEfforts(model), ['low', 'high']);
    directory.learnRefusal('pixtral-12b-2409', { kind: 'images' });
    directory.learnCapabilities([card('pixtral-12b-2409', { vision: true })]);
    assert.equal(
      directory.capabilitiesOf('pixtral-12b-2409').vision,
      false,
      'a refusal outlives a card refresh',
    );
  });

  it('GIVEN Mistral failing at start-up THEN start-up goes on, the refresh retries and learns the cards once they come; a hung answer holds start-up only as long as its bound', async () => {
    const directory = new ModelDirectory(catalogue, 'mistral-small-latest');
    let calls = 0;
    const refresh = refreshCapabilities(
      directory,
      async () => {
        calls++;
        if (calls === 1) throw new Error('connect ECONNREFUSED');
        return [card('pixtral-12b-2409', { vision: true })];
      },
      { log: silent, retryMs: 20, everyMs: 60_000 },
    );
    try {
      await refresh.ready;
      assert.equal(directory.capabilitiesLearnedAt, undefined, 'ready after the failed first attempt');
      for (let i = 0; i < 200 && directory.capabilitiesLearnedAt === undefined; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(directory.visionModels(), ['pixtral-12b-2409']);
      assert.equal(calls, 2);
    } finally {
      refresh.stop();
    }
    const hung = refreshCapabilities(directory, () => new Promise<ModelCard[]>(() => undefined), {
      log: silent,
      firstWaitMs: 50,
    });
    const started = performance.now();
    await hung.ready;
    hung.stop();
    assert.ok(performance.now() - started < 1_000);
  });
});
