import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { SOURCE_MESSAGES } from '../../src/i18n/catalogue.ts';

/*
 * Checks over the sources (src/ outside src/i18n), read with the TypeScript compiler and its type
 * checker: every message code the code uses has an English text, every English text is used, and
 * no text a member reads is written outside the catalogue.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const I18N = join(ROOT, 'src', 'i18n');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === I18N ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  ...ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path)).config,
    ts.sys,
    ROOT,
  ).options,
  noEmit: true,
};

/**
 * Places whose strings nobody in Discord reads, each with why: a whole file, or one function in a
 * file (`file#function`). Everything else in src/ takes the texts members read from the catalogue.
 * Log messages (pino calls) and internal errors are recognised wherever they are (see `internalContext`).
 */
const ALLOWED: Readonly<Record<string, string>> = {
  // Instructions to the model; it answers in the member's language, which the instruction names.
  'src/ask/prompt.ts': 'instructions to the model',
  // The default system prompt: an instruction to the model, not a text members read.
  'src/ask/system-prompt.ts': 'instructions to the model',
  // `npm run doctor` prints to the operator's terminal.
  'src/ops/doctor.ts': "the operator's terminal",
  // The health and metrics HTTP endpoints answer the operator's probes.
  'src/ops/ops-server.ts': "the operator's probes",
  // Start-up checks print to the operator's terminal before anything connects to Discord.
  'src/main.ts': "the operator's terminal",
  // Configuration problems are printed to the operator at start-up, one line per variable.
  'src/config.ts': "the operator's terminal",
  'src/gate/model-limits.ts#parseModelLimits': 'a configuration problem for the operator',
  // The lock's failure is a start-up error for the operator (another process holds the database).
  'src/store/process-lock.ts#acquireProcessLock': 'a start-up error for the operator',
};

/** pino's level methods: their messages go to the operator's logs. */
const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'child']);

/** Calls that send or draw what members see; literal text passed to them is user-facing. */
const DISCORD_CALLS = new Set([
  'reply',
  'followUp',
  'editReply',
  'update',
  'send',
  'respond',
  'private',
  'status',
  'showModal',
  'fillText',
  'setContent',
  'setLabel',
  'setTitle',
  'setDescription',
  'setPlaceholder',
]);

/** Properties of Discord payloads (messages, components, modals, commands, files) that members read. */
const DISCORD_PROPERTIES = new Set(['content', 'label', 'title', 'description', 'placeholder']);

/**
 * Properties that are for operators: Prometheus metric help, a health report's reason (the
 * health endpoint and logs), a start-up check's problem (the terminal).
 */
const OPERATOR_PROPERTIES = new Set(['help', 'reason', 'problem']);

/** Where each catalogue call takes its code: `t(locale, code)`, `new UserError(code)`, `described(code)`, `named(code)`. */
const CODE_ARGUMENT: Readonly<Record<string, number>> = { t: 1, UserError: 0, described: 0, named: 0 };

/** Three words in a row, apart by spaces: a sentence or a phrase, not an identifier, key or format. */
const PROSE = /\p{L}{2,}[,;:]?\s+\p{L}{2,}[,;:]?\s+\p{L}{2,}/u;

/** Code that happens to be words: SQL statements and fragments, and Lua scripts sent to Redis. */
const CODE_TEXT =
  /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|ORDER BY|GROUP BY|ON CONFLICT|VALUES|CREATE TABLE|CREATE INDEX|PRAGMA)\b|redis\.call\(|\bcjson\.|\blocal \w+ =/;

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

interface Finding {
  readonly at: string;
  readonly text: string;
  readonly why: string;
}

type Stringish = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral;

function isStringish(node: ts.Node): node is Stringish {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

/** The name a call is made by: `t(…)` → `t`, `reply.private(…)` → `private`, `new UserError(…)` → `UserError`. */
function calleeName(node: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** The static text of a literal or template (`${…}` parts become `…`). */
function literalText(node: Stringish | ts.TemplateExpression): string {
  if (!ts.isTemplateExpression(node)) return node.text;
  return node.head.text + node.templateSpans.map((s) => `…${s.literal.text}`).join('');
}

function isInsideTypeNode(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return true;
    if (ts.isStatement(n) || ts.isClassElement(n)) return false;
  }
  return false;
}

/** The Discord-facing place a literal sits in, if any: a payload property, a sending call or a `UserError`. */
function discordContext(node: ts.Node): string | undefined {
  for (let n: ts.Node = node; n.parent && !ts.isSourceFile(n.parent); n = n.parent) {
    const parent: ts.Node = n.parent;
    if (ts.isPropertyAssignment(parent) && parent.initializer === n && ts.isIdentifier(parent.name)) {
      return DISCORD_PROPERTIES.has(parent.name.text) ? `${parent.name.text}:` : undefined;
    }
    if (
      (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
      parent.arguments?.includes(n as ts.Expression)
    ) {
      const name = calleeName(parent);
      if (name && DISCORD_CALLS.has(name)) return `.${name}(`;
      return name === 'UserError' ? 'new UserError(' : undefined;
    }
    // A literal compared with (`typeof x === 'string'`) is never shown.
    if (ts.isBinaryExpression(parent) && EQUALITY.has(parent.operatorToken.kind)) return undefined;
    const passesThrough =
      ts.isBinaryExpression(parent) ||
      ts.isConditionalExpression(parent) ||
      ts.isParenthesizedExpression(parent) ||
      ts.isTemplateSpan(parent) ||
      ts.isTemplateExpression(parent);
    if (!passesThrough) return undefined;
  }
  return undefined;
}

/** Scans one program's files (paths shown relative to `root`). */
function scanner(program: ts.Program, files: readonly string[], root: string) {
  const checker = program.getTypeChecker();
  const sources = program.getSourceFiles().filter((sf) => files.includes(sf.fileName));

  const where = (node: ts.Node): string => {
    const sf = node.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return `${relative(root, sf.fileName).split(sep).join('/')}:${line + 1}`;
  };

  const eachNode = (visit: (node: ts.Node) => void): void => {
    const walk = (node: ts.Node): void => {
      visit(node);
      ts.forEachChild(node, walk);
    };
    for (const sf of sources) walk(sf);
  };

  /** Whether a type is the catalogue's `MessageCode` (or a union of its codes). */
  const isMessageCodeType = (type: ts.Type | undefined): boolean => {
    if (!type) return false;
    if (type.aliasSymbol?.name === 'MessageCode') return true;
    const members = type.isUnion() ? type.types : [type];
    return members.length > 1 && members.every((m) => m.isStringLiteral() && m.value in SOURCE_MESSAGES);
  };

  /** Whether `type` is `Error` or a class or interface that extends it. */
  const isErrorType = (type: ts.Type): boolean => {
    if (type.getSymbol()?.name === 'Error') return true;
    return type.isClassOrInterface() && checker.getBaseTypes(type).some(isErrorType);
  };

  /** The file and every named function or method around a node, as `ALLOWED` keys. */
  const placeKeys = (node: ts.Node): string[] => {
    const file = where(node).replace(/:\d+$/, '');
    const keys = [file];
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name))
        keys.push(`${file}#${n.name.text}`);
    }
    return keys;
  };

  /**
   * Why a literal is not user-facing, or undefined when it may be: inside a log call, an internal
   * error (anything but `UserError`: the dispatcher shows members a generic apology instead), an
   * operator-facing property, a module specifier or a type.
   */
  const internalContext = (node: ts.Node): string | undefined => {
    if (
      ts.isImportDeclaration(node.parent) ||
      ts.isExportDeclaration(node.parent) ||
      ts.isExternalModuleReference(node.parent)
    )
      return 'module';
    if (isInsideTypeNode(node)) return 'type';
    for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        LOG_METHODS.has(n.expression.name.text)
      ) {
        const receiver = checker.getTypeAtLocation(n.expression.expression);
        const name = (receiver.aliasSymbol ?? receiver.getSymbol())?.name ?? '';
        if (/Logger$/.test(name) || /\blog(ger)?$/i.test(n.expression.expression.getText())) return 'log';
      }
      if (ts.isNewExpression(n)) {
        const type = checker.getTypeAtLocation(n);
        if (type.getSymbol()?.name !== 'UserError' && isErrorType(type)) return 'internal error';
      }
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) {
        const cls = ts.findAncestor(n, ts.isClassLike);
        if (cls && isErrorType(checker.getTypeAtLocation(cls))) return 'internal error';
      }
      if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && OPERATOR_PROPERTIES.has(n.name.text))
        return 'operator';
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) break;
    }
    return undefined;
  };

  return {
    /**
     * Every message code the sources use, with where: string literals at the code position of
     * the catalogue's calls (whatever their types say), and literals the type checker expects to
     * be a `MessageCode` (tables such as `Record<Kind, MessageCode>`, conditionals, helper parameters).
     */
    usedCodes(): Map<string, string[]> {
      const used = new Map<string, string[]>();
      const add = (code: string, node: ts.Node) => used.set(code, [...(used.get(code) ?? []), where(node)]);
      eachNode((node) => {
        if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
          const name = calleeName(node);
          const index = name === undefined ? undefined : CODE_ARGUMENT[name];
          const arg = index === undefined ? undefined : node.arguments[index];
          if (arg && isStringish(arg)) add(arg.text, arg);
        }
        if (isStringish(node) && isMessageCodeType(checker.getContextualType(node))) add(node.text, node);
      });
      return used;
    },

    /** String literals and templates outside the catalogue that members would read. */
    userFacingLiterals(): Finding[] {
      const findings: Finding[] = [];
      eachNode((node) => {
        if (!isStringish(node) && !ts.isTemplateExpression(node)) return;
        if (ts.isTemplateExpression(node.parent) || ts.isTemplateSpan(node.parent)) return;
        const text = literalText(node);
        // A message code is the catalogue's key, not a text.
        if (text in SOURCE_MESSAGES && isMessageCodeType(checker.getContextualType(node))) return;
        if (placeKeys(node).some((key) => key in ALLOWED) || internalContext(node)) return;
        const place = discordContext(node);
        if (place) {
          if (/\p{L}{2,}/u.test(text)) findings.push({ at: where(node), text, why: place });
        } else if (PROSE.test(text) && !CODE_TEXT.test(text)) {
          findings.push({ at: where(node), text, why: 'English sentence' });
        }
      });
      return findings;
    },
  };
}

/** A program over in-memory files (and the real libraries), to test the scanner on known input. */
function inMemoryProgram(files: Readonly<Record<string, string>>): ts.Program {
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const real = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name in files
      ? ts.createSourceFile(name, files[name] ?? '', language, true)
      : real(name, language, ...rest);
  const realExists = host.fileExists.bind(host);
  host.fileExists = (name) => name in files || realExists(name);
  return ts.createProgram(Object.keys(files), COMPILER_OPTIONS, host);
}

const SRC_FILES = sourceFiles(join(ROOT, 'src'));
const sourcesScan = scanner(ts.createProgram(SRC_FILES, COMPILER_OPTIONS), SRC_FILES, ROOT);

describe('i18n: the sources', () => {
  it('GIVEN every message code used in src/ THEN each has an English text', () => {
    const used = sourcesScan.usedCodes();
    // The scanner must see the codes it is meant to see, or this check would pass on nothing.
    for (const known of [
      'failed',
      'with_ref',
      'cmd_ask',
      'ctx_summarize',
      'blank_prompt',
      'upstream_network',
    ])
      assert.ok(used.has(known), `the scanner did not find the code '${known}'`);
    const missing = [...used]
      .filter(([code]) => !(code in SOURCE_MESSAGES))
      .map(([code, at]) => `${code} (${at.join(', ')})`);
    assert.deepEqual(missing, [], `codes without an English text:\n${missing.join('\n')}`);
  });

  it('GIVEN the English catalogue THEN every code in it is used by src/', () => {
    const used = sourcesScan.usedCodes();
    const unused = Object.keys(SOURCE_MESSAGES).filter((code) => !used.has(code));
    assert.deepEqual(unused, [], `codes nothing uses:\n${unused.join('\n')}`);
  });

  it('GIVEN a sample source THEN the scanner flags Discord-facing literals, English sentences and code-less UserErrors, and spares logs, internal errors, SQL and codes', () => {
    const root = join(ROOT, 'virtual');
    const file = join(root, 'sample.ts');
    const program = inMemoryProgram({
      [file]: [
        "type MessageCode = 'blank_prompt' | 'failed';",
        'class UserError extends Error { constructor(code: MessageCode) { super(code); } }',
        'class UpstreamError extends Error {}',
        'interface Logger { warn(context: object, message: string): void }',
        'declare const logger: Logger;',
        'declare const reply: { private(text: string): Promise<void> };',
        'declare function t(locale: string, code: MessageCode): string;',
        'export async function run(): Promise<void> {',
        "  await reply.private('You cannot do that.');",
        "  const payload = { content: 'Done', label: t('en', 'failed') };",
        "  const note = 'Please try again later.';",
        "  logger.warn({ payload, note }, 'could not post the alert');",
        "  const sql = 'SELECT tokens FROM usage WHERE guild = ?';",
        '  const key = `usage:${note}:month`;',
        "  if (typeof note === 'string' && key && sql) throw new UpstreamError('The stream ended before the answer was finished');",
        "  throw new UserError('blank_prompt');",
        '}',
        '// @ts-expect-error: a sentence where a code belongs',
        "export const wrong = new UserError('Your question is empty.');",
      ].join('\n'),
    });
    const sample = scanner(program, [file], root);
    assert.deepEqual(
      sample.userFacingLiterals().map((f) => `${f.at} ${f.why} ${f.text}`),
      [
        'sample.ts:9 .private( You cannot do that.',
        'sample.ts:10 content: Done',
        'sample.ts:11 English sentence Please try again later.',
        'sample.ts:19 new UserError( Your question is empty.',
      ],
    );
    assert.deepEqual([...sample.usedCodes().keys()].sort(), [
      'Your question is empty.',
      'blank_prompt',
      'failed',
    ]);
  });

  it('GIVEN src/ outside src/i18n THEN no text members read is written there', () => {
    const list = sourcesScan.userFacingLiterals().map((f) => `${f.at} [${f.why}] ${JSON.stringify(f.text)}`);
    assert.deepEqual(list, [], `user-facing literals outside the catalogue:\n${list.join('\n')}`);
  });
});
