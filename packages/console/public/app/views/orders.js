// Orders the API shows the caller (their own; staff and admins everyone's) and, for one order,
// its shipment and tracking history. Staff and admins move a shipment along from here.
import { api, currentSession } from '../api.js';
import { useLoad, query } from '../data.js';
import { Badge, html, money, Problem, Section, Table, useState, when } from '../ui.js';

/** Staff and admins move shipments along; for anyone else the API would answer 403. */
const manages = () => (currentSession()?.user?.roles ?? []).some((r) => r === 'admin' || r === 'staff');

function Shipment({ orderId }) {
  const list = useLoad(`/api/v1/shipments${query({ order_id: orderId })}`);
  const shipment = list.data?.data[0];
  const tracking = useLoad(shipment ? `/api/v1/shipments/${shipment.id}/tracking` : null);
  const [error, setError] = useState(null);
  const step = async (verb) => {
    const r = await api(`/api/v1/shipments/${shipment.id}/${verb}`, { method: 'POST', body: {} });
    if (!r.ok) setError(r.body);
    list.reload();
    tracking.reload();
  };
  if (!shipment) return html`<p class="muted">No shipment yet.</p>`;
  return html`<div data-testid="shipment">
    <p>Tracking <strong>${shipment.tracking_number}</strong> · <${Badge} value=${shipment.status} /></p>
    <ol class="timeline">
      ${(tracking.data?.history ?? []).map((h) => html`<li><${Badge} value=${h.status} /> ${when(h.at)} ${h.note ?? ''}</li>`)}
    </ol>
    <${Problem} error=${error} />
    ${
      manages()
        ? html`<div class="actions">
            ${shipment.status === 'pending' ? html`<button onClick=${() => step('dispatch')}>Dispatch</button>` : null}
            ${shipment.status === 'in_transit' ? html`<button onClick=${() => step('deliver')}>Mark delivered</button>` : null}
          </div>`
        : null
    }
  </div>`;
}

function Order({ id }) {
  const { data, error, reload } = useLoad(`/api/v1/orders/${encodeURIComponent(id)}`);
  const [problem, setProblem] = useState(null);
  const cancel = async () => {
    const r = await api(`/api/v1/orders/${id}/cancel`, { method: 'POST', body: {} });
    if (!r.ok) setProblem(r.body);
    reload();
  };
  if (error) return html`<${Section} title="Order"><${Problem} error=${error} /></${Section}>`;
  if (!data) return html`<p class="muted">Loading…</p>`;
  return html`<${Section} title=${`Order ${data.id.slice(-8)}`} actions=${html`<a href="#/orders">All orders</a>`}>
    <p><${Badge} value=${data.status} /> · ${when(data.created_at)} · from ${data.warehouse?.code ?? data.warehouse ?? '—'}</p>
    <${Table}
      rows=${data.items}
      columns=${[
        { label: 'Item', value: (i) => i.name },
        { label: 'Qty', value: (i) => i.quantity },
        { label: 'Price', value: (i) => money(i.unit_price.amount, i.unit_price.currency) },
      ]}
    />
    <p class="figure">Total <strong>${money(data.total.amount, data.total.currency)}</strong></p>
    ${data.status === 'confirmed' ? html`<button class="danger" onClick=${cancel}>Cancel order</button>` : null}
    <${Problem} error=${problem} />
    <h3>Shipment</h3>
    <${Shipment} orderId=${data.id} />
  </${Section}>`;
}

export function Orders({ id }) {
  const [status, setStatus] = useState('');
  const { data, error } = useLoad(id ? null : `/api/v1/orders${query({ status, limit: 100 })}`);
  if (id) return html`<${Order} id=${id} />`;
  return html`<${Section}
    title="Orders"
    actions=${html`<select
      aria-label="Status"
      value=${status}
      onChange=${(e) => setStatus(e.currentTarget.value)}
    >
      ${['', 'confirmed', 'shipped', 'delivered', 'cancelled'].map((s) => html`<option value=${s}>${s || 'any status'}</option>`)}
    </select>`}
  >
    <${Problem} error=${error} />
    <${Table}
      testid="orders"
      rows=${data?.data}
      empty="No orders yet."
      columns=${[
        { label: 'Order', value: (o) => html`<a href=${`#/orders/${o.id}`}>${o.id.slice(-8)}</a>` },
        { label: 'Placed', value: (o) => when(o.created_at) },
        { label: 'Items', value: (o) => o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ') },
        { label: 'Total', value: (o) => money(o.total.amount, o.total.currency) },
        { label: 'Status', value: (o) => html`<${Badge} value=${o.status} />` },
      ]}
    />
  </${Section}>`;
}
