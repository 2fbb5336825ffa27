/**
 * Cart lines to an order's money: integer minor units in one currency (docs/api-conventions.md:
 * never floats). A cart mixing currencies, holding an inactive product or nothing at all
 * cannot be ordered; each problem names the offending field.
 */
import type { FieldError } from '@portico/kit';

export interface PricedLine {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  currency: string;
  active: boolean;
}

export type Priced = { ok: true; total: number; currency: string } | { ok: false; errors: FieldError[] };

export function priceLines(lines: readonly PricedLine[]): Priced {
  if (lines.length === 0) {
    return {
      ok: false,
      errors: [{ field: 'cart_id', code: 'empty_cart', message: 'the cart has no items' }],
    };
  }
  const errors: FieldError[] = [];
  for (const l of lines) {
    if (!l.active) {
      errors.push({
        field: `items.${l.product_id}`,
        code: 'inactive',
        message: `product ${l.sku} is no longer sold`,
      });
    }
  }
  const currencies = [...new Set(lines.map((l) => l.currency))];
  if (currencies.length > 1) {
    errors.push({
      field: 'cart_id',
      code: 'mixed_currency',
      message: `the cart mixes currencies (${currencies.sort().join(', ')})`,
    });
  }
  if (errors.length) return { ok: false, errors };
  const total = lines.reduce((sum, l) => sum + l.unit_price * l.quantity, 0);
  if (!Number.isSafeInteger(total)) {
    return {
      ok: false,
      errors: [{ field: 'cart_id', code: 'total_too_large', message: 'the order total is too large' }],
    };
  }
  return { ok: true, total, currency: currencies[0]! };
}
