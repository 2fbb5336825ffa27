/**
 * Which signing key signs now and which keys JWKS publishes — a pure function of the keys'
 * activation times, so every replica reaches the same answer from the same rows.
 *
 * - A key is published from the moment it is stored, before it activates (the gateway and any
 *   other verifier can fetch it before the first token it signs arrives).
 * - The signer is the most recently activated key; a newer key's activation retires it.
 * - A retired key stays published until the last token it signed has expired (its retirement +
 *   the access-token lifetime + clock-skew allowance), then disappears from JWKS.
 */

export interface ScheduledKey {
  kid: string;
  activates_at: Date;
}

/** Clock-skew allowance added to a retired key's lifetime (RFC 8725 §3.10 spirit). */
export const RETIREMENT_GRACE_MS = 60_000;

export function keySchedule<K extends ScheduledKey>(
  keys: readonly K[],
  now: number,
  accessTtlSeconds: number,
): { signer: K | undefined; published: K[] } {
  const sorted = [...keys].sort(
    (a, b) => a.activates_at.getTime() - b.activates_at.getTime() || a.kid.localeCompare(b.kid),
  );
  let signer: K | undefined;
  const published: K[] = [];
  sorted.forEach((key, i) => {
    if (key.activates_at.getTime() <= now) signer = key;
    const next = sorted[i + 1];
    const retiredAt = next?.activates_at.getTime();
    if (
      retiredAt === undefined ||
      retiredAt > now ||
      retiredAt + accessTtlSeconds * 1000 + RETIREMENT_GRACE_MS > now
    )
      published.push(key);
  });
  return { signer, published };
}

/** When the next change of signer or published set happens after `now` (for cache refresh), or null. */
export function nextKeyEvent(keys: readonly ScheduledKey[], now: number): number | null {
  const upcoming = keys.map((k) => k.activates_at.getTime()).filter((t) => t > now);
  return upcoming.length ? Math.min(...upcoming) : null;
}
