/**
 * The commerce domains' contracts: orders, shipping and tasks — event data (publishers build
 * these shapes; consumers, notifications above all, read them), error codes and role grants.
 * Every event names the person it concerns, so notifications and webhooks deliver it to that
 * person only. Adding an optional field is compatible; a breaking change is a new type
 * (`order.confirmed.v2`).
 */
import { registerProblems, registerRoleGrants } from '@portico/kit';

export interface OrderItemData {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
}
export interface ShippingAddressData {
  name: string;
  line1: string;
  city: string;
  country: string;
  postal_code?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}
export interface OrderConfirmedData {
  order_id: string;
  customer_id: string;
  warehouse: { code: string; name: string; latitude: number; longitude: number };
  items: OrderItemData[];
  total: number;
  currency: string;
  shipping_address: ShippingAddressData;
}
export interface OrderStatusData {
  order_id: string;
  customer_id: string;
  status: string;
}

export interface ShipmentData {
  shipment_id: string;
  order_id: string;
  customer_id: string;
  status: string;
  tracking_number: string;
  carrier?: string | null;
}

export interface TaskEventData {
  task_id: string;
  title: string;
  status: string;
  priority: string;
  created_by: string;
  assignee_id: string | null;
}

export interface OrdersEvents {
  'order.confirmed': OrderConfirmedData;
  'order.cancelled': OrderStatusData;
  'order.shipped': OrderStatusData;
  'order.delivered': OrderStatusData;
}

export interface ShippingEvents {
  'shipment.created': ShipmentData;
  'shipment.dispatched': ShipmentData;
  'shipment.delivered': ShipmentData;
  'shipment.cancelled': ShipmentData;
}

export interface TasksEvents {
  'task.created': TaskEventData;
  'task.updated': TaskEventData;
  'task.assigned': TaskEventData;
  'task.completed': TaskEventData;
  'task.cancelled': TaskEventData;
  'task.deleted': TaskEventData;
}

export const ordersProblems = registerProblems('orders', {
  out_of_stock: { status: 409, title: 'Out of stock' },
} as const);

registerRoleGrants({
  staff: ['products:*', 'warehouses:*', 'stock:*', 'orders:*', 'carts:*:own', 'shipments:*'],
  instructor: ['products:read', 'orders:*:own', 'carts:*:own', 'shipments:read:own'],
  student: ['products:read', 'orders:*:own', 'carts:*:own', 'shipments:read:own'],
  user: ['products:read', 'orders:*:own', 'carts:*:own', 'shipments:read:own'],
});
registerRoleGrants({
  // Assigning a task to someone else (tasks README): staff and instructors; admins have `*`.
  staff: ['tasks:*:own', 'tasks:assign', 'categories:*:own'],
  instructor: ['tasks:*:own', 'tasks:assign', 'categories:*:own'],
  student: ['tasks:*:own', 'categories:*:own'],
  user: ['tasks:*:own', 'categories:*:own'],
});
