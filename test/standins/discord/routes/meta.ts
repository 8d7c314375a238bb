/** Routes about the bot itself: the gateway URL, its application and its user. */
import { createHash } from 'node:crypto';
import type { Route } from '../rest.ts';
import { route } from '../rest.ts';
import type { World } from '../state.ts';
import type { Obj } from '../util.ts';

function applicationJson(world: World): Obj {
  return {
    id: world.applicationId,
    name: world.botUsername,
    icon: null,
    description: '',
    summary: '',
    type: null,
    hook: true,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: createHash('sha256').update(world.applicationId).digest('hex'),
    flags: world.settings.messageContentIntent ? 1 << 19 : 0,
    owner: world.ownerUser,
    team: null,
    bot: world.botUser,
    approximate_guild_count: world.guilds.size,
    approximate_user_install_count: 0,
    redirect_uris: [],
    interactions_endpoint_url: null,
    integration_types_config: { '0': {} },
  };
}

/** Gateway, application and user routes. */
export function metaRoutes(world: World): Route[] {
  return [
    route('GET', '/gateway', false, () => ({ status: 200, body: { url: world.urls.gateway } })),
    route('GET', '/gateway/bot', true, () => ({
      status: 200,
      body: {
        url: world.urls.gateway,
        shards: world.settings.recommendedShards,
        session_start_limit: {
          total: 1_000,
          remaining: 999,
          reset_after: 86_400_000,
          max_concurrency: world.settings.maxConcurrency,
        },
      },
    })),
    route('GET', '/applications/@me', true, () => ({ status: 200, body: applicationJson(world) })),
    route('GET', '/oauth2/applications/@me', true, () => ({ status: 200, body: applicationJson(world) })),
    route('GET', '/users/@me', true, () => ({
      status: 200,
      body: {
        ...world.botUser,
        verified: true,
        mfa_enabled: false,
        email: null,
        locale: 'en-US',
        premium_type: 0,
      },
    })),
  ];
}
