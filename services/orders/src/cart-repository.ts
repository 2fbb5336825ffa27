/**
 * Carts: a customer's basket of products. A cart is `open` until it is ordered, then
 * `ordered` (read-only). Lines are priced from the catalogue when read; the order freezes them.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, can, type Caller } from '@portico/kit';
import type { CartsTable, OrdersDB } from './tables.ts';

type Db = Kysely<OrdersDB>;
export type CartRow = Selectable<CartsTable>;

export interface CartLineRow {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  price: number;
  currency: string;
  active: boolean;
}

const iso = (d: Date) => new Date(d).toISOString();

export async function createCart(db: Db, customerId: string): Promise<CartRow> {
  return db
    .insertInto('carts')
    .values({ id: uuidv7(), customer_id: customerId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The cart if `caller` may use it for `permission`; otherwise 404 (never reveal others' carts). */
export async function visibleCart(
  db: Db | Transaction<OrdersDB>,
  caller: Caller,
  id: string,
  permission: string,
  lock = false,
) {
  let q = db.selectFrom('carts').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const cart = await q.executeTakeFirst();
  if (!cart || !can(caller, permission, { ownerId: cart.customer_id })) throw AppError.notFound('Cart');
  return cart;
}

export async function cartLines(db: Db | Transaction<OrdersDB>, cartId: string): Promise<CartLineRow[]> {
  return (await cartLinesOf(db, [cartId])).get(cartId) ?? [];
}

/** The lines of several carts in one query (a list page), by cart id. */
export async function cartLinesOf(
  db: Db | Transaction<OrdersDB>,
  cartIds: readonly string[],
): Promise<Map<string, CartLineRow[]>> {
  const out = new Map<string, CartLineRow[]>();
  if (cartIds.length === 0) return out;
  const rows = await db
    .selectFrom('cart_items')
    .innerJoin('products', 'products.id', 'cart_items.product_id')
    .select([
      'cart_items.cart_id',
      'cart_items.product_id',
      'products.sku',
      'products.name',
      'cart_items.quantity',
      'products.price',
      'products.currency',
      'products.active',
    ])
    .where('cart_items.cart_id', 'in', [...cartIds])
    .orderBy('cart_items.product_id')
    .execute();
  for (const { cart_id, ...line } of rows) {
    const list = out.get(cart_id) ?? [];
    list.push(line);
    out.set(cart_id, list);
  }
  return out;
}

export function toCart(cart: CartRow, lines: readonly CartLineRow[]) {
  const currencies = new Set(lines.map((l) => l.currency));
  const single = currencies.size === 1;
  return {
    id: cart.id,
    customer_id: cart.customer_id,
    status: cart.status,
    order_id: cart.order_id,
    items: lines.map((l) => ({
      product_id: l.product_id,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unit_price: l.price,
      currency: l.currency,
      line_total: l.price * l.quantity,
    })),
    total: single ? lines.reduce((s, l) => s + l.price * l.quantity, 0) : null,
    currency: single ? [...currencies][0]! : null,
    created_at: iso(cart.created_at),
    updated_at: iso(cart.updated_at),
  };
}

function assertOpen(cart: CartRow): void {
  if (cart.status !== 'open') {
    throw new AppError('invalid_state', 'This cart has been ordered and can no longer change', {
      extensions: { order_id: cart.order_id },
    });
  }
}

const touch = (trx: Transaction<OrdersDB>, cartId: string) =>
  trx
    .updateTable('carts')
    .set({ updated_at: sql<Date>`now()` })
    .where('id', '=', cartId)
    .execute();

/**
 * Adds `quantity` of a product (merging with an existing line). The product must be on sale and
 * priced in the cart's currency: one order is paid in one currency. Returns whether the line is new.
 */
export async function addItem(
  trx: Transaction<OrdersDB>,
  caller: Caller,
  cartId: string,
  productId: string,
  quantity: number,
) {
  const cart = await visibleCart(trx, caller, cartId, 'carts:update', true);
  assertOpen(cart);
  const product = await trx.selectFrom('products').selectAll().where('id', '=', productId).executeTakeFirst();
  if (!product || !product.active) {
    throw AppError.validation([
      { field: 'product_id', code: 'not_found', message: 'is not a product on sale' },
    ]);
  }
  const lines = await cartLines(trx, cartId);
  const other = lines.find((l) => l.product_id !== productId && l.currency !== product.currency);
  if (other) {
    throw AppError.validation([
      {
        field: 'product_id',
        code: 'currency_mismatch',
        message: `is priced in ${product.currency}; this cart is in ${other.currency}`,
      },
    ]);
  }
  const existing = lines.find((l) => l.product_id === productId);
  if (existing && existing.quantity + quantity > 100_000) {
    throw AppError.validation([
      { field: 'quantity', code: 'maximum', message: 'a cart line holds at most 100000 units' },
    ]);
  }
  await trx
    .insertInto('cart_items')
    .values({ cart_id: cartId, product_id: productId, quantity })
    .onConflict((oc) =>
      oc
        .columns(['cart_id', 'product_id'])
        .doUpdateSet({ quantity: sql<number>`cart_items.quantity + excluded.quantity` }),
    )
    .execute();
  await touch(trx, cartId);
  return { created: !existing };
}

export async function setItemQuantity(
  trx: Transaction<OrdersDB>,
  caller: Caller,
  cartId: string,
  productId: string,
  quantity: number,
) {
  const cart = await visibleCart(trx, caller, cartId, 'carts:update', true);
  assertOpen(cart);
  const res = await trx
    .updateTable('cart_items')
    .set({ quantity })
    .where('cart_id', '=', cartId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw AppError.notFound('Cart item');
  await touch(trx, cartId);
}

export async function removeItem(
  trx: Transaction<OrdersDB>,
  caller: Caller,
  cartId: string,
  productId: string,
) {
  const cart = await visibleCart(trx, caller, cartId, 'carts:update', true);
  assertOpen(cart);
  const res = await trx
    .deleteFrom('cart_items')
    .where('cart_id', '=', cartId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw AppError.notFound('Cart item');
  await touch(trx, cartId);
}
