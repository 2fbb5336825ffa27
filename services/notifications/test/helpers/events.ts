/** Event data for every type notifications consumes, addressed to given people (contracts/events.ts shapes). */
import { makeEvent, type EventEnvelope } from '@portico/kit';

let n = 0;
const id = (p: string) => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;

export const SOURCES: Record<string, string> = {
  'user.registered': 'identity',
  'order.confirmed': 'orders',
  'order.cancelled': 'orders',
  'shipment.dispatched': 'shipping',
  'shipment.delivered': 'shipping',
  'task.assigned': 'tasks',
  'task.completed': 'tasks',
  'enrollment.created': 'curriculum',
  'grade.recorded': 'curriculum',
  'invoice.issued': 'finance',
  'payment.received': 'finance',
  'invoice.paid': 'finance',
  'invoice.overdue': 'finance',
  'invoice.voided': 'finance',
  'payment.refunded': 'finance',
  'absence.requested': 'staff',
  'absence.approved': 'staff',
  'absence.rejected': 'staff',
};

/** Data for `type` concerning `person` (`other` fills the fields that must name someone else). */
export function dataFor(
  type: string,
  person: string | null,
  other = 'someone-else',
): Record<string, unknown> {
  switch (type) {
    case 'user.registered':
      return { user_id: person, email: `${person}@example.test`, full_name: `Person ${person}` };
    case 'user.registration_attempted':
      return { user_id: person, email: `${person}@example.test` };
    case 'order.confirmed':
      return {
        order_id: id('ord'),
        customer_id: person,
        warehouse: { code: 'NBO', name: 'Nairobi', latitude: -1.29, longitude: 36.82 },
        items: [{ product_id: 'p1', sku: 'SKU-1', name: 'Mug', quantity: 2, unit_price: 50_000 }],
        total: 100_000,
        currency: 'KES',
        shipping_address: { name: 'A', line1: 'Street 1', city: 'Nairobi', country: 'KE' },
      };
    case 'order.cancelled':
      return { order_id: id('ord'), customer_id: person, status: 'cancelled' };
    case 'shipment.dispatched':
    case 'shipment.delivered':
      return {
        shipment_id: id('shp'),
        order_id: id('ord'),
        customer_id: person,
        status: 'in_transit',
        tracking_number: 'TRK123',
        carrier: 'DHL',
      };
    case 'task.assigned':
      return {
        task_id: id('tsk'),
        title: 'Write report',
        status: 'pending',
        priority: 'high',
        created_by: other,
        assignee_id: person,
      };
    case 'task.completed':
      return {
        task_id: id('tsk'),
        title: 'Write report',
        status: 'completed',
        priority: 'high',
        created_by: person,
        assignee_id: other,
      };
    case 'enrollment.created':
      return {
        enrollment_id: id('enr'),
        student_id: id('stu'),
        course_id: id('crs'),
        course_code: 'MAT101',
        course_title: 'Mathematics',
        user_id: person,
      };
    case 'grade.recorded':
      return {
        enrollment_id: id('enr'),
        student_id: id('stu'),
        course_id: id('crs'),
        score: 91,
        grade: 'A',
        user_id: person,
      };
    case 'invoice.issued':
      return {
        invoice_id: id('inv'),
        number: 'INV-000001',
        student_id: id('stu'),
        total: 125_000,
        currency: 'KES',
        due_date: '2027-01-31',
        user_id: person,
      };
    case 'payment.received':
      return {
        payment_id: id('pay'),
        invoice_id: id('inv'),
        student_id: id('stu'),
        amount: 25_000,
        currency: 'KES',
        user_id: person,
      };
    case 'invoice.paid':
    case 'invoice.overdue':
    case 'invoice.voided':
      return {
        invoice_id: id('inv'),
        number: 'INV-000042',
        student_id: id('stu'),
        total: 150_000,
        balance_due: type === 'invoice.overdue' ? 100_000 : 0,
        currency: 'KES',
        due_date: '2027-01-31',
        enrollment_id: null,
        user_id: person,
      };
    case 'payment.refunded':
      return {
        refund_id: id('ref'),
        payment_id: id('pay'),
        invoice_id: id('inv'),
        student_id: id('stu'),
        amount: 20_000,
        currency: 'KES',
        user_id: person,
      };
    case 'absence.requested':
    case 'absence.approved':
    case 'absence.rejected':
      return {
        absence_id: id('abs'),
        staff_id: id('stf'),
        start_date: '2027-02-01',
        end_date: '2027-02-03',
        status: type === 'absence.requested' ? 'pending' : type.slice('absence.'.length),
        decided_by: type === 'absence.requested' ? null : other,
        user_id: person,
      };
    default:
      throw new Error(`no fixture for ${type}`);
  }
}

export function eventFor(type: string, person: string | null, other?: string): EventEnvelope {
  const data = dataFor(type, person, other);
  const subject = Object.values(data).find((v) => typeof v === 'string') as string;
  return makeEvent(SOURCES[type] ?? 'test', type, data, { subject });
}
