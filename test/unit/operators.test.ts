import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  Client,
  ClientApplication,
  Team,
  TeamMemberMembershipState,
  TeamMemberRole,
  User,
  type APIApplication,
  type APITeamMember,
  type APIUser,
} from 'discord.js';
import { operatorIdsOf, Operators } from '../../src/discord/operators.ts';

const client = new Client({ intents: [] });
after(() => client.destroy());

const user = (id: string, username: string): APIUser => ({
  id,
  username,
  discriminator: '0',
  global_name: null,
  avatar: null,
});

const member = (
  id: string,
  role: TeamMemberRole,
  state = TeamMemberMembershipState.Accepted,
): APITeamMember => ({
  user: user(id, `member-${id.slice(-2)}`),
  role,
  membership_state: state,
  permissions: ['*'],
  team_id: '300000000000000001',
});

/**
 * The application's owner as discord.js builds it from `GET /applications/@me` (the same
 * ClientApplication code path `application.fetch()` takes), from a raw API payload.
 */
function ownerOf(data: Pick<APIApplication, 'owner' | 'team'>): User | Team | null {
  const raw = {
    id: '200000000000000001',
    name: 'Gatekeeper',
    icon: null,
    description: '',
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: 'k',
    ...data,
  } satisfies Partial<APIApplication>;
  // discord.js keeps ClientApplication's constructor private; it is what builds application.owner.
  const application = Reflect.construct(ClientApplication, [client, raw]) as ClientApplication;
  return application.owner;
}

const OWNER = '100000000000000001';
const ADMIN = '100000000000000002';
const DEVELOPER = '100000000000000003';
const READ_ONLY = '100000000000000004';
const INVITED_ADMIN = '100000000000000005';

describe('operatorIdsOf', () => {
  it('GIVEN an application owned by a user THEN that user is the only operator', () => {
    const owner = ownerOf({ owner: user(OWNER, 'solo'), team: null });
    assert.ok(owner instanceof User);
    assert.deepEqual(operatorIdsOf(owner), [OWNER]);
  });

  it('GIVEN a Team THEN its owner, admins and developers operate, and read-only members and pending invitations do not', () => {
    const owner = ownerOf({
      owner: user('100000000000000099', 'team-placeholder'),
      team: {
        id: '300000000000000001',
        name: 'Bot team',
        icon: null,
        owner_user_id: OWNER,
        members: [
          member(OWNER, TeamMemberRole.Admin),
          member(ADMIN, TeamMemberRole.Admin),
          member(DEVELOPER, TeamMemberRole.Developer),
          member(READ_ONLY, TeamMemberRole.ReadOnly),
          member(INVITED_ADMIN, TeamMemberRole.Admin, TeamMemberMembershipState.Invited),
        ],
      },
    });
    assert.ok(owner instanceof Team);
    assert.equal(owner.members.size, 5);
    assert.deepEqual(operatorIdsOf(owner).sort(), [OWNER, ADMIN, DEVELOPER].sort());
  });

  it('GIVEN a Team whose owner is not among its listed members THEN the owner still operates', () => {
    const owner = ownerOf({
      team: {
        id: '300000000000000002',
        name: 'Small team',
        icon: null,
        owner_user_id: OWNER,
        members: [member(READ_ONLY, TeamMemberRole.ReadOnly)],
      },
    });
    assert.deepEqual(operatorIdsOf(owner), [OWNER]);
  });

  it('GIVEN no owner (the application not fetched) THEN nobody', () => {
    assert.deepEqual(operatorIdsOf(null), []);
  });
});

describe('Operators', () => {
  it('GIVEN BOT_OWNER_IDS THEN they are the operators and the application owners are ignored', () => {
    const operators = new Operators(['1', '2']);
    operators.adoptApplicationOwners([OWNER]);
    assert.deepEqual(operators.ids, ['1', '2']);
    assert.equal(operators.has(OWNER), false);
  });

  it('GIVEN no BOT_OWNER_IDS THEN the application owners are adopted', () => {
    const operators = new Operators([]);
    assert.equal(operators.has(OWNER), false);
    operators.adoptApplicationOwners([OWNER, ADMIN]);
    assert.equal(operators.has(ADMIN), true);
    assert.deepEqual(operators.ids, [OWNER, ADMIN]);
  });
});
