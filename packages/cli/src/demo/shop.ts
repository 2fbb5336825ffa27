/**
 * The demo shop: two warehouses (Nairobi and Mombasa) stocking a small catalogue, two shoppers
 * with orders in every state — confirmed, shipped, delivered and cancelled — and, for the
 * school and the shop, a few tasks. Orders are placed by the shoppers themselves (carts are
 * their own); the admin moves shipments along. A shopper who already has orders is left alone.
 */
import { createOrFind, listAll, type DemoClient } from './client.ts';
import type { DemoAccount, DemoPerson } from './accounts.ts';

export const SHOP_PEOPLE: DemoPerson[] = [
  { key: 'shopper', email: 'grace.achieng@demo.portico.local', full_name: 'Grace Achieng', roles: ['user'] },
  { key: 'shopper2', email: 'hassan.ali@demo.portico.local', full_name: 'Hassan Ali', roles: ['user'] },
];

const WAREHOUSES = [
  { code: 'NBO', name: 'Nairobi (Industrial Area)', latitude: -1.3031, longitude: 36.8516 },
  { code: 'MBA', name: 'Mombasa (Changamwe)', latitude: -4.0266, longitude: 39.6186 },
];

/** sku, name, description, price (KES minor units), stock in NBO and MBA. */
const PRODUCTS: [string, string, string, number, number, number][] = [
  ['DEMO-KIKOY', 'Cotton kikoy', 'Hand-woven in Mombasa, 100 × 170 cm', 150_000, 40, 60],
  ['DEMO-KIONDO', 'Sisal kiondo basket', 'Woven by a women’s group in Machakos', 280_000, 25, 10],
  ['DEMO-COFFEE', 'Kirinyaga AA coffee, 500 g', 'Single-origin, medium roast', 120_000, 80, 30],
  ['DEMO-TEA', 'Kericho black tea, 250 g', 'Loose leaf', 45_000, 120, 120],
  ['DEMO-SANDALS', 'Maasai beaded sandals', 'Leather sole, sizes 36–45', 350_000, 15, 0],
  ['DEMO-NOTEBOOK', 'A4 exercise books (10)', 'For the school term', 60_000, 200, 50],
  ['DEMO-CALC', 'Scientific calculator', 'Approved for KCSE and IGCSE', 220_000, 30, 5],
  ['DEMO-LAMP', 'Solar study lamp', 'Four hours of light from a day of sun', 190_000, 0, 35],
];

const ADDRESSES = {
  nairobi: {
    name: 'Grace Achieng',
    line1: 'Ngong Road 114',
    city: 'Nairobi',
    country: 'KE',
    postal_code: '00100',
    latitude: -1.2986,
    longitude: 36.7812,
  },
  mombasa: {
    name: 'Hassan Ali',
    line1: 'Moi Avenue 22',
    city: 'Mombasa',
    country: 'KE',
    postal_code: '80100',
    latitude: -4.0622,
    longitude: 39.6669,
  },
};

/** Each planned order: buyer, address, items (sku × quantity), and the state it ends in. */
const ORDERS: {
  buyer: string;
  to: keyof typeof ADDRESSES;
  items: [string, number][];
  end: 'confirmed' | 'shipped' | 'delivered' | 'cancelled';
}[] = [
  {
    buyer: 'shopper',
    to: 'nairobi',
    items: [
      ['DEMO-COFFEE', 2],
      ['DEMO-TEA', 3],
    ],
    end: 'delivered',
  },
  { buyer: 'shopper', to: 'nairobi', items: [['DEMO-KIONDO', 1]], end: 'shipped' },
  {
    buyer: 'shopper',
    to: 'nairobi',
    items: [
      ['DEMO-NOTEBOOK', 2],
      ['DEMO-CALC', 1],
    ],
    end: 'confirmed',
  },
  { buyer: 'shopper', to: 'nairobi', items: [['DEMO-SANDALS', 1]], end: 'cancelled' },
  {
    buyer: 'shopper2',
    to: 'mombasa',
    items: [
      ['DEMO-KIKOY', 2],
      ['DEMO-LAMP', 1],
    ],
    end: 'delivered',
  },
  { buyer: 'shopper2', to: 'mombasa', items: [['DEMO-TEA', 1]], end: 'confirmed' },
];

const TASKS: { title: string; assignee: string; priority: string; days: number; description: string }[] = [
  {
    title: 'Enter IGCSE Physics mock results',
    assignee: 'teacher',
    priority: 'high',
    days: 3,
    description: 'Paper 2 and 4 marks for the whole class',
  },
  {
    title: 'Prepare Grade 7 numeracy assessment',
    assignee: 'teacher',
    priority: 'medium',
    days: 10,
    description: 'Rubric for the CBC strand on numbers',
  },
  {
    title: 'Send fee reminders for term 1',
    assignee: 'bursar',
    priority: 'urgent',
    days: 1,
    description: 'Students with a balance due',
  },
  {
    title: 'Reconcile M-Pesa payments',
    assignee: 'bursar',
    priority: 'medium',
    days: 5,
    description: 'Match references to invoices',
  },
  {
    title: 'Restock solar lamps in Nairobi',
    assignee: 'bursar',
    priority: 'low',
    days: 14,
    description: 'NBO has none left',
  },
];

async function catalogue(admin: DemoClient): Promise<Map<string, string>> {
  for (const w of WAREHOUSES)
    await createOrFind(admin, '/api/v1/warehouses', w, async () =>
      (await listAll(admin, '/api/v1/warehouses')).find((x) => x.code === w.code),
    );
  const ids = new Map<string, string>();
  for (const [sku, name, description, price, nbo, mba] of PRODUCTS) {
    const p = await createOrFind(
      admin,
      '/api/v1/products',
      { sku, name, description, price: { amount: price, currency: 'KES' } },
      async () => (await listAll(admin, `/api/v1/products?q=${sku}`)).find((x) => x.sku === sku),
    );
    ids.set(sku, p.id as string);
    for (const [code, quantity] of [
      ['NBO', nbo],
      ['MBA', mba],
    ] as const)
      await admin.expect(
        'PUT',
        `/api/v1/products/${p.id}/stock/${code}`,
        { quantity },
        [200, 201],
        `/api/v1/products/${p.id}`,
      );
  }
  return ids;
}

async function moveShipment(admin: DemoClient, orderId: string, end: string) {
  if (end === 'cancelled') {
    await admin.expect('POST', `/api/v1/orders/${orderId}/cancel`, {}, [200]);
    return;
  }
  if (end === 'confirmed') return;
  // Shipping opens the shipment when order.confirmed reaches it.
  const shipment = await admin.until(`the shipment of order ${orderId}`, async () => {
    const r = await admin.get(`/api/v1/shipments?order_id=${orderId}`);
    return (r.body?.data ?? [])[0] as { id: string } | undefined;
  });
  await admin.expect('POST', `/api/v1/shipments/${shipment.id}/dispatch`, { carrier: 'G4S Courier' }, [200]);
  if (end === 'delivered') await admin.expect('POST', `/api/v1/shipments/${shipment.id}/deliver`, {}, [200]);
}

export async function seedShop(admin: DemoClient, people: Map<string, DemoAccount>): Promise<void> {
  const products = await catalogue(admin);
  for (const buyer of new Set(ORDERS.map((o) => o.buyer))) {
    const me = admin.as(people.get(buyer)!.token);
    if ((await me.get('/api/v1/orders?limit=1')).body?.data?.length) continue;
    for (const o of ORDERS.filter((x) => x.buyer === buyer)) {
      const cart = await me.expect('POST', '/api/v1/carts', {}, [201]);
      for (const [sku, quantity] of o.items)
        await me.expect(
          'POST',
          `/api/v1/carts/${cart.body.id}/items`,
          { product_id: products.get(sku), quantity },
          [200, 201],
        );
      const order = await me.expect(
        'POST',
        '/api/v1/orders',
        { cart_id: cart.body.id, shipping_address: ADDRESSES[o.to] },
        [201],
      );
      await moveShipment(admin, order.body.id as string, o.end);
    }
  }
}

export async function seedTasks(admin: DemoClient, people: Map<string, DemoAccount>): Promise<void> {
  const existing = new Set((await listAll(admin, '/api/v1/tasks')).map((t) => t.title as string));
  for (const t of TASKS) {
    if (existing.has(t.title)) continue;
    const due = new Date(Date.now() + t.days * 86_400_000).toISOString();
    await admin.expect(
      'POST',
      '/api/v1/tasks',
      {
        title: t.title,
        description: t.description,
        priority: t.priority,
        due_at: due,
        assignee_id: people.get(t.assignee)!.id,
      },
      [201],
    );
  }
}
