import { Team, TeamMemberMembershipState, TeamMemberRole, type User } from 'discord.js';

/** Team roles that can change the application on Discord, and so may run operator commands. */
const OPERATOR_ROLES: ReadonlySet<TeamMemberRole> = new Set([TeamMemberRole.Admin, TeamMemberRole.Developer]);

/**
 * The Discord user IDs that operate the bot when `BOT_OWNER_IDS` is not set, from the application's
 * owner as discord.js reports it (`application.owner` after `application.fetch()`):
 * - a user owner: that user;
 * - a Team: its owner, plus the members whose role is Admin or Developer and who accepted the
 *   invitation. Read-only members (who may only look at the application in the developer portal)
 *   and pending invitations are left out: operators can change any server's budget.
 * - no owner (not fetched yet): nobody.
 *
 * Limits: reads the team as it was when fetched; role changes count after the next fetch (start-up).
 */
export function operatorIdsOf(owner: User | Team | null): string[] {
  if (owner === null) return [];
  if (!(owner instanceof Team)) return [owner.id];
  const ids = new Set<string>();
  if (owner.ownerId !== null) ids.add(owner.ownerId);
  for (const member of owner.members.values()) {
    if (member.membershipState === TeamMemberMembershipState.Accepted && OPERATOR_ROLES.has(member.role)) {
      ids.add(member.id);
    }
  }
  return [...ids];
}

/** Who may use `/budget`: `BOT_OWNER_IDS`, or the application's owner(s) learned at log-in. */
export class Operators {
  #ids: ReadonlySet<string>;
  readonly #fixed: boolean;

  constructor(configured: readonly string[]) {
    this.#ids = new Set(configured);
    this.#fixed = configured.length > 0;
  }

  /** Adopts the application's owners ({@link operatorIdsOf}), unless the operator listed IDs explicitly. */
  adoptApplicationOwners(ids: readonly string[]): void {
    if (!this.#fixed) this.#ids = new Set(ids);
  }

  has(userId: string): boolean {
    return this.#ids.has(userId);
  }

  get ids(): readonly string[] {
    return [...this.#ids];
  }
}
