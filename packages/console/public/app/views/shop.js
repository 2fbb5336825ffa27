// The catalogue and the caller's cart; checkout places an order (POST /api/v1/orders) with an
// Idempotency-Key, so a double click or a retried request orders once.
import { api } from '../api.js';
import { useLoad } from '../data.js';
import { go } from '../router.js';
import { html, money, Problem, Section, Table, useEffect, useState } from '../ui.js';

async function openCart() {
  const found = await api('/api/v1/carts?status=open&limit=1');
  if (found.ok && found.body.data.length) return found.body.data[0];
  const made = await api('/api/v1/carts', { method: 'POST', body: {} });
  return made.ok ? made.body : null;
}

function Checkout({ cart, onOrdered }) {
  const [error, setError] = useState(null);
  const [key] = useState(() => crypto.randomUUID());
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const address = Object.fromEntries(
      ['name', 'line1', 'city', 'country', 'postal_code'].map((k) => [k, String(f.get(k) ?? '')]),
    );
    if (!address.postal_code) delete address.postal_code;
    const r = await api('/api/v1/orders', {
      method: 'POST',
      body: { cart_id: cart.id, shipping_address: address },
      idempotent: key,
    });
    if (r.ok) onOrdered(r.body);
    else setError(r.body);
  };
  return html`<form class="stack" onSubmit=${submit} data-testid="checkout">
    <h3>Deliver to</h3>
    <label>Name <input name="name" required /></label>
    <label>Address <input name="line1" required /></label>
    <label>City <input name="city" required /></label>
    <label>Country (2 letters) <input name="country" required maxlength="2" pattern="[A-Za-z]{2}" /></label>
    <label>Postal code <input name="postal_code" /></label>
    <${Problem} error=${error} />
    <button type="submit">Place order</button>
  </form>`;
}

export function Shop() {
  const products = useLoad('/api/v1/products?active=true&limit=100');
  const [cart, setCart] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    openCart().then(setCart, () => setCart(null));
  }, []);
  const add = async (p) => {
    const c = cart ?? (await openCart());
    const r = await api(`/api/v1/carts/${c.id}/items`, {
      method: 'POST',
      body: { product_id: p.id, quantity: 1 },
    });
    if (r.ok) {
      setCart(r.body);
      setError(null);
    } else setError(r.body);
  };
  const remove = async (item) => {
    const r = await api(`/api/v1/carts/${cart.id}/items/${item.product_id}`, { method: 'DELETE' });
    if (r.ok) setCart((await api(`/api/v1/carts/${cart.id}`)).body);
  };
  const ordered = (order) => {
    setCart(null);
    go('orders', order.id);
  };
  const items = cart?.items ?? [];
  return html`<div class="grid">
    <${Section} title="Catalogue">
      <${Problem} error=${products.error ?? error} />
      <ul class="products" data-testid="catalogue">
        ${(products.data?.data ?? []).map(
          (p) =>
            html`<li class="product">
              <strong>${p.name}</strong>
              <span class="muted small">${p.sku}</span>
              <p>${p.description ?? ''}</p>
              <span class="price">${money(p.price.amount, p.price.currency)}</span>
              <button onClick=${() => add(p)} aria-label=${`Add ${p.name} to the cart`}>Add to cart</button>
            </li>`,
        )}
      </ul>
    </${Section}>
    <${Section} title="Cart">
      <${Table}
        testid="cart"
        rows=${cart ? items : []}
        empty="Your cart is empty."
        columns=${[
          { label: 'Item', value: (i) => i.name ?? i.sku ?? i.product_id },
          { label: 'Qty', value: (i) => i.quantity },
          { label: 'Price', value: (i) => money(i.unit_price.amount, i.unit_price.currency) },
          { label: '', value: (i) => html`<button class="link" onClick=${() => remove(i)}>Remove</button>` },
        ]}
      />
      ${
        items.length
          ? html`<p class="figure">Total <strong>${money(cart.total.amount, cart.total.currency)}</strong></p>
              <${Checkout} cart=${cart} onOrdered=${ordered} />`
          : null
      }
    </${Section}>
  </div>`;
}
