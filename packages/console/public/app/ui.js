// The UI library, from files the gateway serves: Preact renders, htm turns tagged templates into
// Preact elements (no JSX, so no build step), the hooks keep component state.
import { h, render } from '../vendor/preact.js';
import htm from '../vendor/htm.js';

export { render };
export { useCallback, useEffect, useMemo, useRef, useState } from '../vendor/hooks.js';
export const html = htm.bind(h);

/** Minor units → "KES 1,500.00". */
export function money(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  const value = Number(amount) / 100;
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency || 'KES' }).format(value);
  } catch {
    return `${currency ?? ''} ${value.toFixed(2)}`;
  }
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? String(iso)
    : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A status word as a small coloured label (the class picks the colour). */
export function Badge({ value }) {
  return html`<span class=${`badge badge-${String(value).replaceAll('_', '-')}`}
    >${String(value).replaceAll('_', ' ')}</span
  >`;
}

/** What a failed call showed: the problem's title and detail, never more. */
export function Problem({ error }) {
  if (!error) return null;
  return html`<p class="problem" role="alert">
    ${error.title ?? 'Error'}${error.detail ? `: ${error.detail}` : ''}
  </p>`;
}

export function Section({ title, children, actions }) {
  return html`<section class="card">
    <header class="card-head">
      <h2>${title}</h2>
      ${actions ?? null}
    </header>
    ${children}
  </section>`;
}

/** Rows as a table; each column `{label, value(row)}`. Scrolls sideways on a phone. */
export function Table({ rows, columns, empty = 'Nothing here yet.', testid }) {
  if (!rows) return html`<p class="muted">Loading…</p>`;
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="table-wrap">
    <table data-testid=${testid}>
      <thead>
        <tr>
          ${columns.map((c) => html`<th>${c.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              ${columns.map((c) => html`<td data-label=${c.label}>${c.value(r)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
