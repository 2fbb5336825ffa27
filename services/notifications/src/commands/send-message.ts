/**
 * A staff message to one user (`POST /api/v1/notifications`) on one channel. A channel the user
 * turned off answers 422 `channel_disabled`; email to a user without a known address, 422 naming
 * `user_id`. Streams are woken and workers kicked once the transaction has committed.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { NotificationRow } from '../repository/notifications.ts';
import { findUser, preferencesOf } from '../repository/users.ts';
import type { Channel } from '../tables.ts';
import { Effects, sendDirect } from './dispatch.ts';

export interface MessageInput {
  user_id: string;
  title: string;
  body: string;
  channel?: Channel | undefined;
}

export async function sendMessage(deps: Deps, input: MessageInput): Promise<NotificationRow> {
  const { user_id, title, body } = input;
  const channel = input.channel ?? 'in_app';
  const effects = new Effects();
  const outcome = await deps.tx(async (trx) => {
    const prefs = await preferencesOf(trx, user_id);
    const user = await findUser(trx, user_id);
    return sendDirect(
      trx,
      { userId: user_id, channel, title, body },
      { prefs, user, webhookDelayMs: deps.context.webhookDelayMs },
      effects,
    );
  });
  if (outcome.status === 'skipped') {
    throw new AppError('channel_disabled', `The user turned off ${channel} notifications`, {
      errors: [
        { field: 'channel', code: 'channel_disabled', message: `${channel} is turned off by the user` },
      ],
    });
  }
  if (outcome.status === 'failed') {
    throw AppError.validation([{ field: 'user_id', code: 'no_email', message: `has ${outcome.reason}` }]);
  }
  deps.context.apply(effects);
  return outcome.notification!;
}
