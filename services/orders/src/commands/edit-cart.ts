/**
 * Cart use-cases: open a cart, add, change and remove lines. A cart is `open` until it is
 * ordered, then `ordered` (read-only: 409 `invalid_state`). Each change locks the cart row.
 */
import { AppError, type Caller } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import {
  addToLine,
  cartLines,
  deleteLine,
  insertCart,
  setLineQuantity,
  touchCart,
} from '../repository/carts.ts';
import { findProduct } from '../repository/products.ts';
import type { CartRow } from '../tables.ts';
import { visibleCart } from './loaders.ts';

/** The most units one cart line holds. */
const MAX_LINE_QUANTITY = 100_000;

export async function openCart(deps: Deps, caller: Caller): Promise<CartRow> {
  if (!caller.id) throw new AppError('forbidden', 'A cart belongs to a user');
  return insertCart(deps.db, { id: uuidv7(), customer_id: caller.id });
}

function assertOpen(cart: CartRow): void {
  if (cart.status !== 'open') {
    throw new AppError('invalid_state', 'This cart has been ordered and can no longer change', {
      extensions: { order_id: cart.order_id },
    });
  }
}

/**
 * Adds `quantity` of a product (merging with an existing line). The product must be on sale and
 * priced in the cart's currency: one order is paid in one currency. Returns whether the line is new.
 */
export async function addCartItem(
  deps: Deps,
  caller: Caller,
  cartId: string,
  item: { product_id: string; quantity: number },
): Promise<{ created: boolean }> {
  return deps.tx(async (trx) => {
    const cart = await visibleCart(trx, caller, cartId, 'carts:update', true);
    assertOpen(cart);
    const product = await findProduct(trx, item.product_id);
    if (!product || !product.active) {
      throw AppError.validation([
        { field: 'product_id', code: 'not_found', message: 'is not a product on sale' },
      ]);
    }
    const lines = await cartLines(trx, cartId);
    const other = lines.find((l) => l.product_id !== item.product_id && l.currency !== product.currency);
    if (other) {
      throw AppError.validation([
        {
          field: 'product_id',
          code: 'currency_mismatch',
          message: `is priced in ${product.currency}; this cart is in ${other.currency}`,
        },
      ]);
    }
    const existing = lines.find((l) => l.product_id === item.product_id);
    if (existing && existing.quantity + item.quantity > MAX_LINE_QUANTITY) {
      throw AppError.validation([
        { field: 'quantity', code: 'out_of_range', message: 'a cart line holds at most 100000 units' },
      ]);
    }
    await addToLine(trx, cartId, item.product_id, item.quantity);
    await touchCart(trx, cartId);
    return { created: !existing };
  });
}

export async function changeCartItem(
  deps: Deps,
  caller: Caller,
  cartId: string,
  productId: string,
  quantity: number,
): Promise<void> {
  await deps.tx(async (trx) => {
    const cart = await visibleCart(trx, caller, cartId, 'carts:update', true);
    assertOpen(cart);
    if (!(await setLineQuantity(trx, cartId, productId, quantity))) throw AppError.notFound('Cart item');
    await touchCart(trx, cartId);
  });
}

export async function removeCartItem(
  deps: Deps,
  caller: Caller,
  cartId: string,
  productId: string,
): Promise<void> {
  await deps.tx(async (trx) => {
    const cart = await visibleCart(trx, caller, cartId, 'carts:update', true);
    assertOpen(cart);
    if (!(await deleteLine(trx, cartId, productId))) throw AppError.notFound('Cart item');
    await touchCart(trx, cartId);
  });
}
