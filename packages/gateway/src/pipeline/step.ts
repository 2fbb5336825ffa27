/**
 * The gateway's request path is a list of steps (`steps.ts`) that a dispatcher runs in order.
 * A step answers synchronously whenever it can (`undefined`: go on; `HANDLED`: the step answered
 * the request or handed it off) and returns a promise only when it must wait (an uncached
 * credential, a limit counted in Redis, a body, the idempotency store), so a request whose
 * answers are all cached costs no promise. Each step also describes itself to `explain`, which
 * walks the same list and so cannot drift from what the gateway does.
 */
import type { CompiledRoute, Runtime } from '../config/compile.ts';
import type { RequestContext } from './context.ts';

/** The step answered the request (or handed it to something that will): stop the pipeline. */
export const HANDLED = 1;
export type StepResult = undefined | typeof HANDLED;

export type Decision = 'pass' | 'deny' | 'skip' | 'info';

export interface ExplainStep {
  step: string;
  decision: Decision;
  detail: string;
}

/** What a step sees of a request that `explain` describes without sending it. */
export interface Probe {
  readonly rt: Runtime;
  readonly method: string;
  /** Raw path (not normalised) and query string (with its `?`). */
  readonly path: string;
  readonly query: string;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  route: CompiledRoute | null;
  params: string[];
  /** What authentication learned from the credential (decoded, never verified). */
  caller: { sub?: string; roles: string[]; permissions: string[]; apiKey: boolean };
  note(step: string, decision: Decision, detail: string): void;
}

export interface Step {
  readonly name: string;
  run(ctx: RequestContext): StepResult | Promise<StepResult>;
  /** Adds this step's lines to `p`; returns the outcome when the request would stop here. */
  describe(p: Probe): string | undefined;
}

/** Runs `steps` from `from` on; a step that throws or rejects gets the request a 500. */
export function dispatch(ctx: RequestContext, steps: readonly Step[], from = 0): void {
  try {
    for (let i = from; i < steps.length; i++) {
      const r = steps[i]!.run(ctx);
      if (r === undefined) continue;
      if (r === HANDLED) return;
      r.then(
        (v) => {
          if (v === undefined) dispatch(ctx, steps, i + 1);
        },
        (err: unknown) => ctx.internalError(err),
      );
      return;
    }
  } catch (err) {
    ctx.internalError(err);
  }
}
