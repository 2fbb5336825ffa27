-- Row versions (kit migration 000_kit_003): each resource's `version` is bumped by a trigger on
-- every change, whoever writes it; GETs answer with it as a strong ETag and writes honour If-Match
-- against it (docs/api-conventions.md, "Conditional requests").
select kit_versioned('warehouses');
select kit_versioned('products');
select kit_versioned('carts');
select kit_versioned('orders');

-- Stock levels are set through their product (`PUT /products/{id}/stock/{warehouse}` addresses
-- the product): a change of the units on hand is a change of the product, so it bumps the
-- product's version, and that update is where the request's If-Match is checked.
create function stock_touches_product() returns trigger language plpgsql as $fn$
begin
  update products set updated_at = updated_at where id = new.product_id;
  return new;
end $fn$;
create trigger stock_quantity_set after insert on stock
  for each row execute function stock_touches_product();
create trigger stock_quantity_changed after update of quantity on stock
  for each row when (old.quantity is distinct from new.quantity) execute function stock_touches_product();
