/** The circuit breaker of one instance and the retry budget of one service, on a fake clock. */
import { describe, expect, it } from 'vitest';
import { Breaker, type BreakerState } from '../src/upstream/breaker.ts';
import { RetryBudget } from '../src/upstream/retry-budget.ts';

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures and refuses traffic for the cooldown', () => {
    const b = new Breaker(3, 1000);
    const changes: BreakerState[] = [];
    b.onChange = (s) => changes.push(s);
    b.failure(0);
    b.failure(10);
    expect(b.state).toBe('closed');
    expect(b.available(10)).toBe(true);
    b.failure(100);
    expect(b.state).toBe('open');
    expect(b.available(100)).toBe(false);
    expect(b.available(1099)).toBe(false);
    expect(b.retryAfterMs(400)).toBe(700);
    expect(b.available(1100)).toBe(true);
    expect(changes).toEqual(['open']);
  });

  it('counts consecutive failures only: a success in between starts the count again', () => {
    const b = new Breaker(3, 1000);
    b.failure(0);
    b.failure(1);
    b.success();
    b.failure(2);
    b.failure(3);
    expect(b.state).toBe('closed');
    b.failure(4);
    expect(b.state).toBe('open');
  });

  it('lets exactly one probe through after the cooldown; its success closes the breaker', () => {
    const b = new Breaker(1, 500);
    const changes: BreakerState[] = [];
    b.onChange = (s) => changes.push(s);
    b.failure(0);
    b.acquire(100); // too early: stays open
    expect(b.state).toBe('open');
    b.acquire(500);
    expect(b.state).toBe('half_open');
    expect(b.available(510)).toBe(false); // the probe is in flight
    expect(b.retryAfterMs(510)).toBe(0);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.available(520)).toBe(true);
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('re-opens on a failed probe for a whole new cooldown', () => {
    const b = new Breaker(5, 500);
    for (let i = 0; i < 5; i++) b.failure(0);
    b.acquire(600);
    expect(b.state).toBe('half_open');
    b.failure(650); // one failure is enough while half-open
    expect(b.state).toBe('open');
    expect(b.available(1100)).toBe(false);
    expect(b.retryAfterMs(1100)).toBe(50);
    expect(b.available(1150)).toBe(true);
  });
});

describe('retry budget', () => {
  const at = (s: number) => s * 1000;

  it('allows retries up to the ratio of the requests seen, then refuses', () => {
    const budget = new RetryBudget(0.2, 0);
    for (let i = 0; i < 100; i++) budget.request(at(100));
    let granted = 0;
    while (budget.tryRetry(at(100)) && granted < 1000) granted++;
    expect(granted).toBe(20);
    budget.request(at(100));
    budget.request(at(100));
    budget.request(at(100));
    budget.request(at(100));
    budget.request(at(100));
    expect(budget.tryRetry(at(100))).toBe(true); // 105 requests: a 21st retry
    expect(budget.tryRetry(at(100))).toBe(false);
  });

  it('always allows min_per_second retries over the 10 s window, even with no requests', () => {
    const budget = new RetryBudget(0.2, 2);
    let granted = 0;
    while (budget.tryRetry(at(50)) && granted < 1000) granted++;
    expect(granted).toBe(20);
    expect(budget.tryRetry(at(55))).toBe(false); // still inside the same 10 s
  });

  it('forgets requests and retries once they are more than 10 s old', () => {
    const budget = new RetryBudget(0.5, 0);
    for (let i = 0; i < 10; i++) budget.request(at(200));
    for (let i = 0; i < 10; i++) budget.request(at(205));
    let granted = 0;
    while (budget.tryRetry(at(205)) && granted < 1000) granted++;
    expect(granted).toBe(10);
    // At 210 s the requests of second 200 have left the window; the retries of 205 have not.
    expect(budget.tryRetry(at(210))).toBe(false);
    for (let i = 0; i < 10; i++) budget.request(at(210));
    expect(budget.tryRetry(at(210))).toBe(false); // 20 requests, 10 retries: the ratio is used up
    // At 215 s everything from second 205 is gone: 10 requests allow 5 retries.
    granted = 0;
    while (budget.tryRetry(at(215)) && granted < 1000) granted++;
    expect(granted).toBe(5);
  });
});
