/** The orders schema as Kysely sees it (migrations/ is the source of truth). */
import type { ShippingAddressData } from '@portico/contracts';
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as the value, written as its JSON text. */
type Json<T> = ColumnType<T, string, string>;

export interface WarehouseSnapshot {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
}

/** The address an order ships to: the shape its events carry (`@portico/contracts`). */
export type ShippingAddress = ShippingAddressData;

export interface WarehousesTable {
  id: string;
  code: string;
  name: string;
  latitude: number;
  longitude: number;
  created_at: Timestamp;
}

export interface ProductsTable {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: number;
  currency: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StockTable {
  product_id: string;
  warehouse_id: string;
  quantity: number;
  reserved: Generated<number>;
  updated_at: Timestamp;
}

export interface CartsTable {
  id: string;
  customer_id: string;
  status: Generated<'open' | 'ordered'>;
  order_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CartItemsTable {
  cart_id: string;
  product_id: string;
  quantity: number;
  added_at: Timestamp;
}

export interface OrdersTable {
  id: string;
  customer_id: string;
  cart_id: string;
  status: 'confirmed' | 'shipped' | 'delivered' | 'cancelled';
  total: number;
  currency: string;
  warehouse_id: string;
  warehouse: Json<WarehouseSnapshot>;
  shipping_address: Json<ShippingAddress>;
  tracking_number: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  shipped_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
}

export interface OrderItemsTable {
  order_id: string;
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
}

export interface OrdersDB {
  warehouses: WarehousesTable;
  products: ProductsTable;
  stock: StockTable;
  carts: CartsTable;
  cart_items: CartItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
}

export type WarehouseRow = Selectable<WarehousesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type StockRow = Selectable<StockTable>;
export type CartRow = Selectable<CartsTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;

/** A cart line joined with its product: priced from the catalogue when read. */
export interface CartLineRow {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  price: number;
  currency: string;
  active: boolean;
}
