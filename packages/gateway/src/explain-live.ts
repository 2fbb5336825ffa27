/**
 * `portico explain --live`: what a running gateway says about the route's service and about
 * itself, from its `/health` — each service's state and, with worker threads, each worker's
 * state and restarts. The offline explanation says what the gateway would decide; this says
 * whether the parts it would use are up.
 */
import type { WorkerHealth } from './own/routes.ts';

export interface LiveState {
  url: string;
  /** The gateway's overall state, or `unreachable` when it did not answer. */
  status: string;
  services: Record<string, string>;
  workers?: WorkerHealth[];
  error?: string;
}

export async function liveState(gatewayUrl: string, timeoutMs = 2000): Promise<LiveState> {
  const url = new URL('/health', gatewayUrl).toString();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as Partial<LiveState>;
    return {
      url,
      status: String(body.status ?? res.status),
      services: body.services ?? {},
      ...(body.workers && { workers: body.workers }),
    };
  } catch (err) {
    return { url, status: 'unreachable', services: {}, error: (err as Error).message };
  }
}

export function formatLive(state: LiveState, service: string | null): string {
  const lines = [`live, from ${state.url}: gateway ${state.status}${state.error ? ` (${state.error})` : ''}`];
  if (state.status === 'unreachable') return lines.join('\n');
  if (service) lines.push(`  service ${service}: ${state.services[service] ?? 'not known to this gateway'}`);
  if (state.workers) {
    const each = state.workers.map(
      (w) => `#${w.id} ${w.state}${w.restarts ? ` (${w.restarts} restart${w.restarts > 1 ? 's' : ''})` : ''}`,
    );
    lines.push(`  workers: ${each.join(', ')}`);
  } else lines.push('  workers: one (the main thread)');
  return lines.join('\n');
}
