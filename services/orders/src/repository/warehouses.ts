/** SQL for warehouses. Codes are unique (409 naming `code`). */
import type { Db } from '../deps.ts';
import { normaliseCode } from '../domain/warehouse-code.ts';
import type { WarehouseRow } from '../tables.ts';
import { translateUnique } from '@portico/kit';

export interface WarehouseValues {
  id: string;
  code: string;
  name: string;
  latitude: number;
  longitude: number;
}

export async function insertWarehouse(db: Db, values: WarehouseValues): Promise<WarehouseRow> {
  try {
    return await db.insertInto('warehouses').values(values).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    return translateUnique(err, 'warehouse', 'code');
  }
}

export async function findWarehouse(db: Db, id: string): Promise<WarehouseRow | undefined> {
  return db.selectFrom('warehouses').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findWarehouseByCode(db: Db, code: string): Promise<WarehouseRow | undefined> {
  return db.selectFrom('warehouses').selectAll().where('code', '=', normaliseCode(code)).executeTakeFirst();
}

/** Every warehouse, for `listPage`. */
export function warehousesQuery(db: Db) {
  return db.selectFrom('warehouses').selectAll();
}
