/** The shipping schema as Kysely sees it (migrations/ is the source of truth). */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ShippingAddressData } from '@portico/contracts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type ShipmentStatus = 'pending' | 'in_transit' | 'delivered' | 'cancelled';

export interface Origin {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
}

export interface ParcelItem {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
}

export interface ShipmentsTable {
  id: string;
  order_id: string;
  customer_id: string;
  status: ShipmentStatus;
  tracking_number: string;
  carrier: string | null;
  origin: Json<Origin>;
  destination: Json<ShippingAddressData>;
  items: Json<ParcelItem[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  dispatched_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
}

export interface ShipmentTrackingTable {
  seq: Generated<number>;
  shipment_id: string;
  status: ShipmentStatus;
  note: string | null;
  at: Timestamp;
}

export interface CancelledOrdersTable {
  order_id: string;
  cancelled_at: Timestamp;
}

export interface ShippingDB {
  shipments: ShipmentsTable;
  shipment_tracking: ShipmentTrackingTable;
  cancelled_orders: CancelledOrdersTable;
}

export type ShipmentRow = Selectable<ShipmentsTable>;
export type TrackingStepRow = Selectable<ShipmentTrackingTable>;
