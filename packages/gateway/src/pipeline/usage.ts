/** In place of the upstream step for the usage routes (`usage/`): the gateway answers them. */
import { deprecatedCallers, usageReport } from '../usage/api.ts';
import { USAGE } from '../usage/routes.ts';
import { HANDLED, type Step } from './step.ts';

export const usage: Step = {
  name: 'usage routes',
  run(ctx) {
    const route = ctx.route!;
    if (route.kind !== 'usage') return undefined;
    return (route.config.name === USAGE.deprecated ? deprecatedCallers(ctx) : usageReport(ctx)).then(
      () => HANDLED,
    );
  },
  describe(p) {
    const settings = p.rt.usage;
    p.note(
      'usage',
      'info',
      settings === null
        ? 'not recorded (usage.enabled is false)'
        : `recorded in usage analytics as ${p.method} ${p.route!.template} with its status, latency, user or API key and plan${settings.sampleRate < 1 ? ` (sampled: ${settings.sampleRate})` : ''}; written every ${settings.flushMs} ms`,
    );
    if (p.route!.kind !== 'usage') return undefined;
    return p.route!.config.name === USAGE.deprecated
      ? 'answered by the gateway: 200 {from, to, data}: who called deprecated routes, read from the usage store'
      : "answered by the gateway: 200 {totals, by_route, by_status, by_key, series}: the caller's own usage (anyone's with the usage permission; another user's → 404), read from the usage store";
  },
};
