-- One shipment per order (order_id unique: a redelivered or re-published order.confirmed
-- cannot create a second one), a unique tracking number, and the tracking history.
create table shipments (
  id text primary key,
  order_id text not null unique,
  customer_id text not null,
  status text not null check (status in ('pending', 'in_transit', 'delivered', 'cancelled')),
  tracking_number text not null unique,
  carrier text,
  -- the warehouse it leaves from: {code, name, latitude, longitude}
  origin jsonb not null,
  -- the order's shipping address
  destination jsonb not null,
  -- what is in the parcel: [{product_id, sku, name, quantity}]
  items jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  dispatched_at timestamptz,
  delivered_at timestamptz,
  cancelled_at timestamptz
);
-- Lists are newest first by id (UUIDv7: time-ordered, unique, exact in a cursor).
create index shipments_customer on shipments (customer_id, id);

create table shipment_tracking (
  seq bigserial primary key,
  shipment_id text not null references shipments (id),
  status text not null,
  note text,
  at timestamptz not null default now()
);
create index shipment_tracking_shipment on shipment_tracking (shipment_id, seq);

-- Orders cancelled before their order.confirmed was seen here (events redelivered out of
-- order after a failure): the late order.confirmed then creates no shipment.
create table cancelled_orders (
  order_id text primary key,
  cancelled_at timestamptz not null default now()
);
