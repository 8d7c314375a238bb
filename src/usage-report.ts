import type { BudgetStanding } from './budget.ts';
import { discordTime, formatTokens } from './discord/reply.ts';
import { MESSAGE_LIMIT } from './discord/split-message.ts';
import type { GuildMonthUsage } from './store/usage-ledger.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `2026-11` → `November 2026`. */
export function monthName(month: string): string {
  const [year, mm] = month.split('-');
  return `${MONTHS[Number(mm) - 1] ?? mm} ${year}`;
}

/**
 * The private `/usage` report as one message (≤ 2000 characters): totals with the
 * prompt/completion split, budget, what is left and when it resets, `notes` (e.g. the alert
 * state), then by model and the top members. Every number is a sum of Mistral's reported usage.
 */
export function renderUsageReport(
  guildName: string,
  s: BudgetStanding & { resetsAt: Date },
  r: GuildMonthUsage,
  topMembers = 10,
  notes: readonly string[] = [],
): string {
  const pct = s.limit > 0 ? ` (${((s.used / s.limit) * 100).toFixed(1)}%)` : '';
  const lines = [
    `**Mistral usage for ${guildName.slice(0, 80)} — ${monthName(r.month)} (UTC)**`,
    `Used **${formatTokens(r.total.totalTokens)}** of ${formatTokens(s.limit)} tokens${pct}; ` +
      `**${formatTokens(s.left)}** left. Resets ${discordTime(s.resetsAt)}.`,
    `Prompt ${formatTokens(r.total.promptTokens)} · completion ${formatTokens(r.total.completionTokens)} · ` +
      `${formatTokens(r.total.requests)} ${r.total.requests === 1 ? 'request' : 'requests'}`,
  ];
  if (s.reserved > 0) lines.push(`(${formatTokens(s.reserved)} tokens held by questions in progress.)`);
  lines.push(...notes);
  const head = lines.length;
  if (r.byModel.length > 0) {
    lines.push('', '**By model**');
    for (const m of r.byModel) {
      lines.push(
        `• \`${m.model}\`: ${formatTokens(m.totalTokens)} (prompt ${formatTokens(m.promptTokens)} · completion ${formatTokens(m.completionTokens)}) · ${formatTokens(m.requests)} req`,
      );
    }
  }
  if (r.byUser.length > 0) {
    lines.push('', `**Top members**`);
    for (const u of r.byUser.slice(0, topMembers)) {
      lines.push(`• <@${u.userId}>: ${formatTokens(u.totalTokens)} · ${formatTokens(u.requests)} req`);
    }
    if (r.byUser.length > topMembers) lines.push(`…and ${r.byUser.length - topMembers} more.`);
  }
  if (r.total.requests === 0) lines.push('', 'No questions asked yet this month.');
  let text = lines.join('\n');
  // A very long list is cut at a whole line, never mid-number.
  while (text.length > MESSAGE_LIMIT && lines.length > head) {
    lines.pop();
    text = `${lines.join('\n')}\n…(list shortened)`;
  }
  return text;
}
