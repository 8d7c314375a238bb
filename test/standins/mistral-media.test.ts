import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { SDKError } from '@mistralai/mistralai/models/errors';
import { countPromptTokens, startMistralStandIn } from './mistral.ts';
import type { MistralStandIn, MistralStandInOptions } from './mistral.ts';
import { makeGif, makeJpeg, makePng, makeWebp } from './images.ts';
import { connectMistral } from '../support/mistral-client.ts';

const MODEL = 'mistral-small-latest';

async function start(t: TestContext, opts: MistralStandInOptions = {}): Promise<MistralStandIn> {
  const standIn = await startMistralStandIn({ requestsPerSecond: Infinity, ...opts });
  t.after(() => standIn.close());
  return standIn;
}

/** A loopback file server: `path → bytes`; anything else is a 404. */
async function serve(t: TestContext, files: Readonly<Record<string, Buffer>>): Promise<string> {
  const server = createServer((req, res) => {
    const bytes = files[req.url ?? ''];
    res.writeHead(bytes ? 200 : 404, { 'content-type': 'application/octet-stream' });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;

function refusedWith(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SDKError, `expected SDKError, got ${String(err)}`);
    assert.equal(err.statusCode, 400);
    const body = JSON.parse(err.body) as Record<string, unknown>;
    assert.equal(body.object, 'error');
    assert.equal(body.type, 'invalid_request_invalid_args');
    assert.equal(body.code, '3051');
    assert.match(String(body.message), pattern);
    return true;
  };
}

test('GIVEN charsPerToken 2 THEN prompt and completion counts double, above what a 3-characters-per-token estimate expects', async (t) => {
  const standIn = await start(t, { charsPerToken: 2, answer: () => 'y'.repeat(90) });
  const { client } = connectMistral(standIn);
  const prompt = 'x'.repeat(300);
  const res = await client.chat.complete({ model: MODEL, messages: [{ role: 'user', content: prompt }] });
  assert.deepEqual({ ...res.usage }, { promptTokens: 154, completionTokens: 45, totalTokens: 199 });
  assert.equal(countPromptTokens([{ role: 'user', content: prompt }], 2), 154);
  assert.ok(res.usage.promptTokens !== undefined && res.usage.promptTokens > Math.ceil(300 / 3) + 4);
  assert.equal(standIn.charsPerToken, 2);
  standIn.setCharsPerToken(4);
  const back = await client.chat.complete({
    model: MODEL,
    messages: [{ role: 'user', content: prompt }],
    maxTokens: 10,
  });
  assert.equal(back.usage.promptTokens, 79);
  assert.equal(
    back.choices[0]?.message?.content,
    'y'.repeat(40),
    'max_tokens cuts at 4 characters per token again',
  );
});

test('GIVEN a PNG as a data URL and a JPEG by loopback URL THEN their real sizes are read and their patch tokens added to prompt_tokens', async (t) => {
  const standIn = await start(t);
  const base = await serve(t, { '/photo.jpg': makeJpeg(640, 480) });
  const { client } = connectMistral(standIn);
  const text = 'What is in these two pictures?';
  const res = await client.chat.complete({
    model: MODEL,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text },
          { type: 'image_url', imageUrl: dataUrl(makePng(3_000, 2_000)) },
          { type: 'image_url', imageUrl: { url: `${base}/photo.jpg` } },
        ],
      },
    ],
  });
  const [png, jpeg] = standIn.requests[0]?.images ?? [];
  // 3000×2000 fits 1540×1026 → 55 × 37 patches of 28 px; 640×480 → 23 × 18.
  assert.deepEqual(
    [png?.format, png?.width, png?.height, png?.tokens, png?.url],
    ['png', 3_000, 2_000, 2_035, 'data:image/png;base64,…'],
  );
  assert.deepEqual(
    [jpeg?.format, jpeg?.width, jpeg?.height, jpeg?.tokens, jpeg?.url],
    ['jpeg', 640, 480, 414, `${base}/photo.jpg`],
  );
  assert.equal(res.usage.promptTokens, Math.ceil(text.length / 4) + 4 + 2_035 + 414);
  assert.equal(standIn.requests[0]?.usage?.prompt_tokens, res.usage.promptTokens);
});

test('GIVEN pixtral THEN images are counted in 16-pixel patches after fitting 1024×1024, WEBP and single-frame GIF included', async (t) => {
  const standIn = await start(t);
  const { client } = connectMistral(standIn);
  await client.chat.complete({
    model: 'pixtral-12b-2409',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare.' },
          { type: 'image_url', imageUrl: dataUrl(makeWebp(1_600, 800), 'image/webp') },
          { type: 'image_url', imageUrl: dataUrl(makeGif(100, 50), 'image/gif') },
        ],
      },
    ],
  });
  assert.deepEqual(
    standIn.requests[0]?.images?.map((i) => [i.format, i.width, i.height, i.tokens]),
    [
      ['webp', 1_600, 800, 64 * 32],
      ['gif', 100, 50, 7 * 4],
    ],
  );
});

test('GIVEN a model without vision, nine images, an unreadable or animated image, or a URL off this machine THEN 400 with Mistral’s error body and nothing accepted', async (t) => {
  const standIn = await start(t);
  const base = await serve(t, {});
  const { client } = connectMistral(standIn);
  const ask = (model: string, images: string[]) =>
    client.chat.complete({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            ...images.map((imageUrl) => ({ type: 'image_url' as const, imageUrl })),
          ],
        },
      ],
    });
  const png = dataUrl(makePng(10, 10));
  await assert.rejects(ask('open-mistral-nemo', [png]), refusedWith(/does not support image input/));
  await assert.rejects(
    ask(
      MODEL,
      Array.from({ length: 9 }, () => png),
    ),
    refusedWith(/Too many images in request: 9/),
  );
  await assert.rejects(
    ask(MODEL, [dataUrl(Buffer.from('not an image at all'))]),
    refusedWith(/could not be read/),
  );
  await assert.rejects(ask(MODEL, [dataUrl(makeGif(4, 4, 2), 'image/gif')]), refusedWith(/animated GIF/));
  await assert.rejects(ask(MODEL, ['https://cdn.example.com/cat.png']), refusedWith(/loopback URLs only/));
  await assert.rejects(ask(MODEL, [`${base}/missing.png`]), refusedWith(/status 404/));
  assert.equal(standIn.accepted, 0);
  await ask(
    MODEL,
    Array.from({ length: 8 }, () => png),
  );
  assert.equal(standIn.requests.at(-1)?.images?.length, 8);
});

test('GIVEN a document THEN a model without OCR refuses it and one whose card says ocr counts its bytes like text', async (t) => {
  const standIn = await start(t);
  const base = await serve(t, { '/report.pdf': Buffer.from(`%PDF-1.4\n${'x'.repeat(991)}`) });
  const { client } = connectMistral(standIn);
  const ask = () =>
    client.chat.complete({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise' },
            { type: 'document_url', documentUrl: `${base}/report.pdf`, documentName: 'report.pdf' },
          ],
        },
      ],
    });
  await assert.rejects(ask(), refusedWith(/does not support document input/));
  standIn.setModelCard(MODEL, { capabilities: { ocr: true } });
  const res = await ask();
  assert.deepEqual(standIn.requests.at(-1)?.documents, [
    { url: `${base}/report.pdf`, name: 'report.pdf', bytes: 1_000, tokens: 250 },
  ]);
  assert.equal(res.usage.promptTokens, Math.ceil('Summarise'.length / 4) + 4 + 250);
});

test('GIVEN GET /v1/models THEN the SDK parses every card with its configured capabilities, and models.retrieve finds one or answers 404', async (t) => {
  const standIn = await start(t, {
    knownModels: ['mistral-small-latest', 'open-mistral-nemo'],
    modelCards: {
      'magistral-small-latest': {
        capabilities: { reasoning: true, vision: false },
        aliases: ['magistral-small-2509'],
      },
      'open-mistral-nemo': { capabilities: { function_calling: false }, maxContextLength: 32_768 },
    },
  });
  const { client } = connectMistral(standIn);
  const list = await client.models.list();
  const cards = (list.data ?? []).flatMap((m) => (m.type === 'base' ? [m] : []));
  assert.deepEqual(
    cards.map((c) => [
      c.id,
      c.capabilities.vision,
      c.capabilities.reasoning,
      c.capabilities.functionCalling,
      c.capabilities.ocr,
      c.maxContextLength,
    ]),
    [
      ['mistral-small-latest', true, true, true, false, 131_072],
      ['open-mistral-nemo', false, false, false, false, 32_768],
      ['magistral-small-latest', false, true, true, false, 131_072],
    ],
  );
  assert.deepEqual(cards[2]?.aliases, ['magistral-small-2509']);
  assert.ok(
    cards.every((c) => c.object === 'model' && c.ownedBy === 'mistralai' && c.created === 1_700_000_000),
  );
  const one = await client.models.retrieve({ modelId: 'open-mistral-nemo' });
  assert.equal(one.type === 'base' ? one.id : undefined, 'open-mistral-nemo');
  await assert.rejects(
    client.models.retrieve({ modelId: 'gpt-4o' }),
    (err: unknown) => err instanceof SDKError && err.statusCode === 404,
  );
});
