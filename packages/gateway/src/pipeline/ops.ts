/** In place of the upstream step for the operator routes (`ops/`): the gateway answers them. */
import { listDeadLetters, replayDeadLetter } from '../ops/dead-letters.ts';
import { OPS } from '../ops/routes.ts';
import { HANDLED, type Step } from './step.ts';

export const ops: Step = {
  name: 'operator routes',
  run(ctx) {
    const route = ctx.route!;
    if (route.kind !== 'ops') return undefined;
    switch (route.config.name) {
      case OPS.deadLetters:
        return listDeadLetters(ctx).then(() => HANDLED);
      case OPS.replay:
        return replayDeadLetter(ctx).then(() => HANDLED);
      default: {
        const feed = ctx.gw.events;
        if (feed !== null) return feed.serve(ctx).then(() => HANDLED);
        ctx.headers.push(['retry-after', '5']);
        ctx.problem('service_unavailable', 'This gateway has no event bus to follow');
        return HANDLED;
      }
    }
  },
  describe(p) {
    if (p.route!.kind !== 'ops') return undefined;
    switch (p.route!.config.name) {
      case OPS.deadLetters:
        return "answered by the gateway: 200 {data, has_more, next_cursor, unreachable}, every service's dead letters (newest first) read with a gateway passport";
      case OPS.replay:
        return 'answered by the gateway: the service replays the letter through its consumer; 200, 404, 409 (replayed already, or the consumer failed again)';
      default:
        return `answered by the gateway: a text/event-stream of every domain event (at most ${p.rt.ops?.maxEventStreams ?? 0} streams per gateway, 3 per caller; closed when the credential is revoked or expires)`;
    }
  },
};
