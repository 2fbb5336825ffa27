import { describe, expect, it } from 'vitest';
import { nextStatus } from '../src/domain/shipment-status.ts';
import { newTrackingNumber, TRACKING_NUMBER } from '../src/domain/tracking-number.ts';

describe('tracking numbers', () => {
  it('are PT followed by 10 unambiguous digits or letters', () => {
    for (let i = 0; i < 1000; i++) expect(newTrackingNumber()).toMatch(TRACKING_NUMBER);
    expect(newTrackingNumber(() => new Uint8Array(10))).toBe('PT0000000000');
    expect(newTrackingNumber(() => new Uint8Array(10).fill(255))).toBe('PTZZZZZZZZZZ');
    for (let i = 0; i < 1000; i++) expect(newTrackingNumber().slice(2)).not.toMatch(/[ILOU]/);
  });

  it('do not repeat in practice', () => {
    const seen = new Set(Array.from({ length: 20_000 }, () => newTrackingNumber()));
    expect(seen.size).toBe(20_000);
  });
});

describe('the shipment state machine', () => {
  it('goes pending → in_transit → delivered, or pending → cancelled', () => {
    expect(nextStatus('pending', 'dispatch')).toBe('in_transit');
    expect(nextStatus('in_transit', 'deliver')).toBe('delivered');
    expect(nextStatus('pending', 'cancel')).toBe('cancelled');
  });

  it('refuses every other move', () => {
    expect(nextStatus('pending', 'deliver')).toBeNull();
    expect(nextStatus('in_transit', 'dispatch')).toBeNull();
    expect(nextStatus('in_transit', 'cancel')).toBeNull();
    expect(nextStatus('delivered', 'cancel')).toBeNull();
    expect(nextStatus('cancelled', 'dispatch')).toBeNull();
  });
});
