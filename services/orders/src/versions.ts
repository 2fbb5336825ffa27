/**
 * The orders API's dated changes (docs/versions.md). The routes implement only the newest
 * shape; callers at an older version are served through these transformations, and the
 * OpenAPI document at their version shows the `before` schemas.
 *
 * 2026-12-01 — money as `{ amount, currency }` objects: a product's `price` (and the create
 * and change requests), an order's `total` and items' `unit_price`, a cart's `total` and lines'
 * `unit_price` / `line_total`. Before it, amounts were bare integers beside a `currency` field.
 */
import { PageOf, routeChange, Type, type Static, type VersionChange } from '@portico/kit';
import { Cart, CartLine } from './routes/carts.ts';
import { Currency, Money, nullable } from './routes/common.ts';
import { Order, OrderItem } from './routes/orders.ts';
import { Product, ProductInput, ProductPatch } from './routes/products.ts';

type Product = Static<typeof Product>;
type Order = Static<typeof Order>;
type Cart = Static<typeof Cart>;
type Page<T> = { data: T[]; has_more: boolean; next_cursor: string | null; prev_cursor?: string | null };

// The shapes before 2026-12-01.
const ProductBefore = Type.Object({ ...Product.properties, price: Type.Integer(), currency: Type.String() });
const ProductInputBefore = Type.Object(
  { ...ProductInput.properties, price: Money, currency: Currency },
  { additionalProperties: false },
);
const ProductPatchBefore = Type.Object(
  { ...ProductPatch.properties, price: Type.Optional(Money), currency: Type.Optional(Currency) },
  { additionalProperties: false },
);
const OrderBefore = Type.Object({
  ...Order.properties,
  items: Type.Array(Type.Object({ ...OrderItem.properties, unit_price: Type.Integer() })),
  total: Type.Integer(),
  currency: Type.String(),
});
const CartBefore = Type.Object({
  ...Cart.properties,
  items: Type.Array(
    Type.Object({
      ...CartLine.properties,
      unit_price: Type.Integer(),
      currency: Type.String(),
      line_total: Type.Integer(),
    }),
  ),
  total: Type.Union([Type.Integer(), Type.Null()], { description: 'Null when empty or mixing currencies' }),
  currency: nullable(Type.String()),
});

const productBefore = ({ price, ...p }: Product): Static<typeof ProductBefore> => ({
  ...p,
  price: price.amount,
  currency: price.currency,
});
const orderBefore = ({ total, ...o }: Order): Static<typeof OrderBefore> => ({
  ...o,
  items: o.items.map((i) => ({ ...i, unit_price: i.unit_price.amount })),
  total: total.amount,
  currency: total.currency,
});
const cartBefore = ({ total, ...c }: Cart): Static<typeof CartBefore> => ({
  ...c,
  items: c.items.map((l) => ({
    ...l,
    unit_price: l.unit_price.amount,
    currency: l.unit_price.currency,
    line_total: l.line_total.amount,
  })),
  total: total?.amount ?? null,
  currency: total?.currency ?? null,
});
const pageBefore =
  <T, U>(fn: (item: T) => U) =>
  (page: Page<T>): Page<U> => ({ ...page, data: page.data.map(fn) });

const product = routeChange({ response: { before: ProductBefore, downgrade: productBefore } });
const products = routeChange({
  response: { before: PageOf(ProductBefore), downgrade: pageBefore(productBefore) },
});
const order = routeChange({ response: { before: OrderBefore, downgrade: orderBefore } });
const orders = routeChange({ response: { before: PageOf(OrderBefore), downgrade: pageBefore(orderBefore) } });
const cart = routeChange({ response: { before: CartBefore, downgrade: cartBefore } });
const carts = routeChange({ response: { before: PageOf(CartBefore), downgrade: pageBefore(cartBefore) } });

export const VERSIONS: VersionChange[] = [
  {
    date: '2026-12-01',
    description: 'Money as { amount, currency } objects (products, carts, orders)',
    transforms: {
      'POST /api/v1/products': routeChange({
        request: {
          before: ProductInputBefore,
          upgrade: ({ price, currency, ...p }): Static<typeof ProductInput> => ({
            ...p,
            price: { amount: price, currency },
          }),
        },
        response: { before: ProductBefore, downgrade: productBefore },
      }),
      'PATCH /api/v1/products/:id': routeChange({
        request: {
          before: ProductPatchBefore,
          upgrade: ({ price, currency, ...p }): Static<typeof ProductPatch> => ({
            ...p,
            ...((price !== undefined || currency !== undefined) && {
              price: {
                ...(price !== undefined && { amount: price }),
                ...(currency !== undefined && { currency }),
              },
            }),
          }),
        },
        response: { before: ProductBefore, downgrade: productBefore },
      }),
      'GET /api/v1/products': products,
      'GET /api/v1/products/:id': product,
      'POST /api/v1/carts': cart,
      'GET /api/v1/carts': carts,
      'GET /api/v1/carts/:id': cart,
      'POST /api/v1/carts/:id/items': cart,
      'PATCH /api/v1/carts/:id/items/:product_id': cart,
      'POST /api/v1/orders': order,
      'GET /api/v1/orders': orders,
      'GET /api/v1/orders/:id': order,
      'POST /api/v1/orders/:id/cancel': order,
    },
  },
];
