/**
 * Loaders for what a caller asks for by id: 404 when it does not exist or the caller may not
 * see it (another customer's cart or order is 404, never 403; a withdrawn product is 404 to
 * those who do not manage the catalogue).
 */
import { AppError, can, type Caller } from '@portico/kit';
import type { Db } from '../deps.ts';
import { findCart } from '../repository/carts.ts';
import { findOrder } from '../repository/orders.ts';
import { findProduct } from '../repository/products.ts';
import { findWarehouse } from '../repository/warehouses.ts';
import type { CartRow, OrderRow, ProductRow, WarehouseRow } from '../tables.ts';

/** The cart if `caller` may use it for `permission`; `lock` takes its row FOR UPDATE. */
export async function visibleCart(
  db: Db,
  caller: Caller,
  id: string,
  permission: string,
  lock = false,
): Promise<CartRow> {
  const cart = await findCart(db, id, { lock });
  if (!cart || !can(caller, permission, { ownerId: cart.customer_id })) throw AppError.notFound('Cart');
  return cart;
}

/** The order if `caller` may see it for `permission`; `lock` takes its row FOR UPDATE. */
export async function visibleOrder(
  db: Db,
  caller: Caller,
  id: string,
  permission: string,
  lock = false,
): Promise<OrderRow> {
  const order = await findOrder(db, id, { lock });
  if (!order || !can(caller, permission, { ownerId: order.customer_id })) throw AppError.notFound('Order');
  return order;
}

/** A product for those who manage the catalogue (any), else only one on sale. */
export async function visibleProduct(db: Db, caller: Caller, id: string): Promise<ProductRow> {
  const p = await findProduct(db, id);
  if (!p || (!p.active && !can(caller, 'products:update'))) throw AppError.notFound('Product');
  return p;
}

/** A product, active or not (the route already required a staff permission). */
export async function loadProduct(db: Db, id: string): Promise<ProductRow> {
  const p = await findProduct(db, id);
  if (!p) throw AppError.notFound('Product');
  return p;
}

export async function loadWarehouse(db: Db, id: string): Promise<WarehouseRow> {
  const w = await findWarehouse(db, id);
  if (!w) throw AppError.notFound('Warehouse');
  return w;
}
