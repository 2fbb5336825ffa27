-- Warehouses, products and stock per warehouse.
-- Stock: `quantity` is on hand, `reserved` is held by confirmed orders not yet dispatched;
-- available = quantity - reserved, never negative (the check below, plus row locks when
-- reserving).
create table warehouses (
  id text primary key,
  code text not null unique,
  name text not null,
  latitude double precision not null check (latitude between -90 and 90),
  longitude double precision not null check (longitude between -180 and 180),
  created_at timestamptz not null default now()
);

create table products (
  id text primary key,
  sku text not null unique,
  name text not null,
  description text,
  price bigint not null check (price >= 0),
  currency text not null,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table stock (
  product_id text not null references products (id),
  warehouse_id text not null references warehouses (id),
  quantity integer not null check (quantity >= 0),
  reserved integer not null default 0 check (reserved >= 0),
  updated_at timestamptz not null default now(),
  primary key (product_id, warehouse_id),
  constraint stock_available_not_negative check (reserved <= quantity)
);
