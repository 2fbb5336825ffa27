/** SQL for carts and their lines. A line is priced from the catalogue when read (a join). */
import { sql } from 'kysely';
import type { Db, Trx } from '../deps.ts';
import type { CartLineRow, CartRow } from '../tables.ts';

export async function insertCart(db: Db, values: { id: string; customer_id: string }): Promise<CartRow> {
  return db.insertInto('carts').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findCart(
  db: Db,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<CartRow | undefined> {
  let q = db.selectFrom('carts').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Carts for `paginate`: those of `customerId` when given, with `status` when given. */
export function cartsQuery(
  db: Db,
  filter: { customerId?: string | undefined; status?: CartRow['status'] | undefined },
) {
  let q = db.selectFrom('carts').selectAll();
  if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q;
}

export async function cartLines(db: Db, cartId: string): Promise<CartLineRow[]> {
  return (await cartLinesOf(db, [cartId])).get(cartId) ?? [];
}

/** The lines of several carts in one query (a list page), by cart id, each by product id. */
export async function cartLinesOf(db: Db, cartIds: readonly string[]): Promise<Map<string, CartLineRow[]>> {
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

/** Adds `quantity` units of a product to a cart, merging with its line when there is one. */
export async function addToLine(
  trx: Trx,
  cartId: string,
  productId: string,
  quantity: number,
): Promise<void> {
  await trx
    .insertInto('cart_items')
    .values({ cart_id: cartId, product_id: productId, quantity })
    .onConflict((oc) =>
      oc
        .columns(['cart_id', 'product_id'])
        .doUpdateSet({ quantity: sql<number>`cart_items.quantity + excluded.quantity` }),
    )
    .execute();
}

/** Sets the quantity of a line; false when the cart has no line for the product. */
export async function setLineQuantity(
  trx: Trx,
  cartId: string,
  productId: string,
  quantity: number,
): Promise<boolean> {
  const res = await trx
    .updateTable('cart_items')
    .set({ quantity })
    .where('cart_id', '=', cartId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) !== 0;
}

/** Deletes a line; false when the cart has no line for the product. */
export async function deleteLine(trx: Trx, cartId: string, productId: string): Promise<boolean> {
  const res = await trx
    .deleteFrom('cart_items')
    .where('cart_id', '=', cartId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) !== 0;
}

export async function touchCart(trx: Trx, cartId: string): Promise<void> {
  await trx
    .updateTable('carts')
    .set({ updated_at: sql<Date>`now()` })
    .where('id', '=', cartId)
    .execute();
}

/** The cart became order `orderId`: it is read-only from now on. */
export async function markCartOrdered(trx: Trx, cartId: string, orderId: string): Promise<void> {
  await trx
    .updateTable('carts')
    .set({ status: 'ordered', order_id: orderId, updated_at: sql<Date>`now()` })
    .where('id', '=', cartId)
    .execute();
}
