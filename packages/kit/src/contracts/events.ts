/**
 * The data of events that cross service boundaries, agreed in code. Publishers build these
 * shapes; consumers (notifications above all) read them. Every event names the person it
 * concerns, so notifications and webhooks deliver it to that person only. Adding an optional
 * field is compatible; a breaking change is a new type (`order.confirmed.v2`).
 */

export interface UserRegisteredData {
  user_id: string;
  email: string;
  full_name: string;
  /** The roles the account starts with (`user` on self-registration; admin-created users may differ). */
  roles?: string[];
}
/**
 * Someone tried to register with the email of an existing account. Registration answers exactly
 * as for a new address (no account enumeration); this tells the owner instead.
 */
export interface UserRegistrationAttemptedData {
  user_id: string;
  email: string;
}
export interface UserUpdatedData {
  user_id: string;
  email: string;
  full_name: string;
  status: 'active' | 'disabled';
}
export interface UserRolesChangedData {
  user_id: string;
  old_roles: string[];
  new_roles: string[];
  changed_by: string;
}

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

/** Education events carry `user_id`: the student's or staff member's linked login, or null. */
export interface EnrollmentCreatedData {
  enrollment_id: string;
  student_id: string;
  course_id: string;
  course_code: string;
  course_title: string;
  user_id: string | null;
}
export interface GradeRecordedData {
  enrollment_id: string;
  student_id: string;
  course_id: string;
  score: number;
  grade: string;
  user_id: string | null;
}
export interface InvoiceIssuedData {
  invoice_id: string;
  number: string;
  student_id: string;
  total: number;
  currency: string;
  due_date: string;
  user_id: string | null;
}
export interface PaymentReceivedData {
  payment_id: string;
  invoice_id: string;
  student_id: string;
  amount: number;
  currency: string;
  user_id: string | null;
}
export interface AbsenceApprovedData {
  absence_id: string;
  staff_id: string;
  start_date: string;
  end_date: string;
  user_id: string | null;
}

/** Which field of an event's data names the person concerned (notifications, webhooks). */
export const eventRecipientField: Record<string, string> = {
  'user.registered': 'user_id',
  'user.registration_attempted': 'user_id',
  'order.confirmed': 'customer_id',
  'order.cancelled': 'customer_id',
  'order.shipped': 'customer_id',
  'order.delivered': 'customer_id',
  'shipment.created': 'customer_id',
  'shipment.dispatched': 'customer_id',
  'shipment.delivered': 'customer_id',
  'shipment.cancelled': 'customer_id',
  'task.assigned': 'assignee_id',
  'task.completed': 'created_by',
  'enrollment.created': 'user_id',
  'grade.recorded': 'user_id',
  'invoice.issued': 'user_id',
  'payment.received': 'user_id',
  'invoice.paid': 'user_id',
  'invoice.overdue': 'user_id',
  'invoice.voided': 'user_id',
  'payment.refunded': 'user_id',
  'absence.requested': 'user_id',
  'absence.approved': 'user_id',
  'absence.rejected': 'user_id',
};
