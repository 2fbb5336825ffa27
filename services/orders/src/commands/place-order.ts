/**
 * Placing an order from a cart: stock reserved in the chosen warehouse, the order and its
 * items written, the cart marked ordered and `order.confirmed` put in the outbox, all in one
 * transaction.
 *
 * Concurrency. Placing an order locks its cart row (a cart orders once), then the stock rows
 * of every product in the cart in every warehouse, in (product_id, warehouse_id) order. The
 * warehouse is chosen from those locked figures, so two buyers racing for the last unit
 * serialise on its row: the second sees it reserved and gets 409 `out_of_stock`. Every
 * writer of stock rows takes them in the same order, so there is no lock cycle; PostgreSQL
 * could still abort a transaction to break a deadlock, which `retryTransient` retries. The
 * reservation is also a conditional update and a CHECK constraint keeps `reserved <= quantity`:
 * stock cannot go negative even if this reasoning were wrong.
 */
import type { ShippingAddressData } from '@portico/contracts';
import { AppError, type Caller } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps, Trx } from '../deps.ts';
import { chooseWarehouse, resolveDestination, type Availability } from '../domain/fulfilment.ts';
import { priceLines } from '../domain/pricing.ts';
import { ORDER_CONFIRMED, orderConfirmedData } from '../events.ts';
import { cartLines, markCartOrdered } from '../repository/carts.ts';
import { insertOrder, insertOrderItems } from '../repository/orders.ts';
import { lockStockOf } from '../repository/stock.ts';
import type { CartRow, OrderItemRow } from '../tables.ts';
import { toAddress, toOrder, type OrderView } from '../views.ts';
import { visibleCart } from './loaders.ts';
import { adjustStock } from './stock-movements.ts';

export interface PlaceOrderInput {
  cart_id: string;
  shipping_address: ShippingAddressData;
}

interface Site {
  id: string;
  code: string;
  name: string;
  latitude: number;
  longitude: number;
}

/**
 * Locks and reads the available units of `productIds` in every warehouse that stocks them,
 * with the warehouse's site (see the header for the lock order).
 */
async function lockAvailability(trx: Trx, productIds: readonly string[]) {
  const rows = await lockStockOf(trx, productIds);
  const availability = new Map<string, Map<string, number>>();
  const sites = new Map<string, Site>();
  for (const r of rows) {
    let m = availability.get(r.warehouse_id);
    if (!m) availability.set(r.warehouse_id, (m = new Map()));
    m.set(r.product_id, r.quantity - r.reserved);
    sites.set(r.warehouse_id, {
      id: r.warehouse_id,
      code: r.code,
      name: r.name,
      latitude: r.latitude,
      longitude: r.longitude,
    });
  }
  return { availability: availability as Availability, warehouses: [...sites.values()] };
}

/** Latitude and longitude go together: one without the other is 422 naming the missing one. */
function checkCoordinates(address: ShippingAddressData): void {
  const hasLat = typeof address.latitude === 'number';
  if (hasLat !== (typeof address.longitude === 'number')) {
    const field = hasLat ? 'longitude' : 'latitude';
    throw AppError.validation([
      { field: `shipping_address.${field}`, code: 'required', message: 'latitude and longitude go together' },
    ]);
  }
}

/** The caller's open cart, locked; another's is 422 on `cart_id`, an ordered one 409 `conflict`. */
async function lockOpenCart(trx: Trx, caller: Caller, cartId: string): Promise<CartRow> {
  const cart = await visibleCart(trx, caller, cartId, 'carts:update', true).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') {
      throw AppError.validation([
        { field: 'cart_id', code: 'not_found', message: 'is not one of your carts' },
      ]);
    }
    throw err;
  });
  if (cart.status !== 'open') {
    throw new AppError('conflict', 'This cart has already been ordered', {
      extensions: { order_id: cart.order_id },
    });
  }
  return cart;
}

export async function placeOrder(deps: Deps, caller: Caller, input: PlaceOrderInput): Promise<OrderView> {
  const address = input.shipping_address;
  checkCoordinates(address);
  return deps.tx(
    async (trx) => {
      const cart = await lockOpenCart(trx, caller, input.cart_id);
      const lines = await cartLines(trx, cart.id);
      const priced = priceLines(lines.map((l) => ({ ...l, unit_price: l.price })));
      if (!priced.ok) throw AppError.validation(priced.errors);

      const { availability, warehouses } = await lockAvailability(
        trx,
        lines.map((l) => l.product_id),
      );
      const choice = chooseWarehouse(warehouses, availability, lines, resolveDestination(address));
      if (!choice)
        throw new AppError(
          'out_of_stock',
          'No warehouse holds every item of this cart in the quantity asked for',
        );
      const w = choice.warehouse;
      await adjustStock(trx, w.id, lines, 'reserve');

      const id = uuidv7();
      const order = await insertOrder(trx, {
        id,
        customer_id: cart.customer_id,
        cart_id: cart.id,
        total: priced.total,
        currency: priced.currency,
        warehouse_id: w.id,
        warehouse: { code: w.code, name: w.name, latitude: w.latitude, longitude: w.longitude },
        shipping_address: toAddress(address),
      });
      const items: OrderItemRow[] = lines.map((l) => ({
        order_id: id,
        product_id: l.product_id,
        sku: l.sku,
        name: l.name,
        quantity: l.quantity,
        unit_price: l.price,
      }));
      await insertOrderItems(trx, items);
      await markCartOrdered(trx, cart.id, id);
      const view = toOrder(order, items);
      await deps.publish(trx, ORDER_CONFIRMED, orderConfirmedData(view), { subject: id });
      return view;
    },
    { retry: {} },
  );
}
