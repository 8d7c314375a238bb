import { MESSAGE_LIMIT } from '../discord/split-message.ts';
import { t } from '../i18n/catalogue.ts';
import type { GuildMonthUsage } from '../store/usage-ledger.ts';
import { discordTime, type GuildStanding, type MemberStanding } from './budget-service.ts';

/** A member's share used at or above this is called out in `/usage`. */
export const NEAR_SHARE = 0.8;

/** `2026-11` → `November 2026` in the reader's language. */
export function monthName(locale: string | undefined, month: string): string {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(locale ?? 'en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, mm - 1, 1)),
  );
}

/**
 * The private `/usage` report as one message (≤ 2000 characters): totals with the
 * prompt/completion split, budget, what is left and when it resets, `notes` (e.g. the alert
 * state), then by model and the top members with their share of their cap. Every number is a sum
 * of Mistral's reported usage. `members` holds the standing of the members listed.
 */
export function renderUsageReport(
  locale: string | undefined,
  guildName: string,
  s: GuildStanding,
  r: GuildMonthUsage,
  options: {
    readonly topMembers?: number;
    readonly notes?: readonly string[];
    readonly members?: ReadonlyMap<string, MemberStanding>;
  } = {},
): string {
  const topMembers = options.topMembers ?? 10;
  const lines = [
    t(locale, 'usage_title', { guild: guildName.slice(0, 80), month: monthName(locale, r.month) }),
    t(locale, 'usage_used', {
      used: r.total.totalTokens,
      limit: s.limit,
      limited: s.limit > 0 ? 'yes' : 'no',
      share: s.limit > 0 ? r.total.totalTokens / s.limit : 0,
      left: s.left,
      resetsAt: discordTime(s.resetsAt),
    }),
    t(locale, 'usage_split', {
      prompt: r.total.promptTokens,
      completion: r.total.completionTokens,
      requests: r.total.requests,
    }),
  ];
  if (s.reserved > 0) lines.push(t(locale, 'usage_reserved', { reserved: s.reserved }));
  lines.push(...(options.notes ?? []));
  const near = [...(options.members ?? new Map<string, MemberStanding>())]
    .filter(([, m]) => m.limit > 0 && m.used >= m.limit * NEAR_SHARE)
    .sort((a, b) => b[1].used / b[1].limit - a[1].used / a[1].limit);
  if (near.length > 0) {
    lines.push(
      t(locale, 'usage_near_share', {
        members: near
          .map(([id, m]) => `<@${id}> (${t(locale, 'usage_share_of', { share: m.used / m.limit })})`)
          .join(', '),
      }),
    );
  }
  const head = lines.length;
  if (r.byModel.length > 0) {
    lines.push('', t(locale, 'usage_by_model'));
    for (const m of r.byModel) {
      lines.push(
        t(locale, 'usage_model_line', {
          model: m.model,
          total: m.totalTokens,
          prompt: m.promptTokens,
          completion: m.completionTokens,
          requests: m.requests,
        }),
      );
    }
  }
  if (r.byUser.length > 0) {
    lines.push('', t(locale, 'usage_top_members'));
    for (const u of r.byUser.slice(0, topMembers)) {
      const standing = options.members?.get(u.userId);
      lines.push(
        t(locale, 'usage_member_line', {
          user: `<@${u.userId}>`,
          total: u.totalTokens,
          requests: u.requests,
          capped: standing && standing.limit > 0 ? 'yes' : 'no',
          cap: standing?.limit ?? 0,
          share: standing && standing.limit > 0 ? u.totalTokens / standing.limit : 0,
        }),
      );
    }
    if (r.byUser.length > topMembers)
      lines.push(t(locale, 'usage_more_members', { count: r.byUser.length - topMembers }));
  }
  if (r.total.requests === 0) lines.push('', t(locale, 'usage_none'));
  let text = lines.join('\n');
  // A very long list is cut at a whole line, never mid-number.
  while (text.length > MESSAGE_LIMIT && lines.length > head) {
    lines.pop();
    text = `${lines.join('\n')}\n${t(locale, 'usage_shortened')}`;
  }
  return text;
}
