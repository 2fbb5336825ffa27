/**
 * Catalogue use-cases (admin, staff): create warehouses and products, change a product,
 * withdraw one (soft: `active: false`, still readable by staff; orders keep their copy).
 * Codes and SKUs are unique: a duplicate is 409 `already_exists` naming the field.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { normaliseCode } from '../domain/warehouse-code.ts';
import { insertProduct, updateProduct, type ProductPatch } from '../repository/products.ts';
import { insertWarehouse } from '../repository/warehouses.ts';
import type { ProductRow, WarehouseRow } from '../tables.ts';

export interface WarehouseInput {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
}

export async function createWarehouse(deps: Deps, input: WarehouseInput): Promise<WarehouseRow> {
  return insertWarehouse(deps.db, {
    id: uuidv7(),
    code: normaliseCode(input.code),
    name: input.name,
    latitude: input.latitude,
    longitude: input.longitude,
  });
}

export interface ProductInput {
  sku: string;
  name: string;
  description?: string | null | undefined;
  price: number;
  currency: string;
}

export async function createProduct(deps: Deps, input: ProductInput): Promise<ProductRow> {
  return insertProduct(deps.db, {
    id: uuidv7(),
    sku: input.sku,
    name: input.name,
    description: input.description ?? null,
    price: input.price,
    currency: input.currency,
  });
}

export async function changeProduct(deps: Deps, id: string, patch: ProductPatch): Promise<ProductRow> {
  const row = await updateProduct(deps.db, id, patch);
  if (!row) throw AppError.notFound('Product');
  return row;
}

export async function withdrawProduct(deps: Deps, id: string): Promise<void> {
  await changeProduct(deps, id, { active: false });
}
