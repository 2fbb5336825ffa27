-- Carts and orders. A cart orders once: orders.cart_id is unique (and the cart row is locked
-- while ordering).
create table carts (
  id text primary key,
  customer_id text not null,
  status text not null default 'open' check (status in ('open', 'ordered')),
  order_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index carts_customer on carts (customer_id, id);

create table cart_items (
  cart_id text not null references carts (id) on delete cascade,
  product_id text not null references products (id),
  quantity integer not null check (quantity > 0),
  added_at timestamptz not null default now(),
  primary key (cart_id, product_id)
);

create table orders (
  id text primary key,
  customer_id text not null,
  cart_id text not null unique references carts (id),
  status text not null check (status in ('confirmed', 'shipped', 'delivered', 'cancelled')),
  total bigint not null check (total >= 0),
  currency text not null,
  warehouse_id text not null references warehouses (id),
  -- what the warehouse was when the order was placed: {code, name, latitude, longitude}
  warehouse jsonb not null,
  shipping_address jsonb not null,
  tracking_number text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  shipped_at timestamptz,
  delivered_at timestamptz,
  cancelled_at timestamptz
);
-- Lists are newest first by id (UUIDv7: time-ordered, unique, exact in a cursor).
create index orders_customer on orders (customer_id, id);
create index orders_status on orders (status, id);

create table order_items (
  order_id text not null references orders (id),
  product_id text not null,
  sku text not null,
  name text not null,
  quantity integer not null check (quantity > 0),
  unit_price bigint not null check (unit_price >= 0),
  primary key (order_id, product_id)
);
