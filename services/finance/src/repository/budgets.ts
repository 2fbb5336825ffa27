/** SQL for budgets and their expenses; spent = Σ expenses. */
import { sql, type Kysely } from 'kysely';
import type { FinanceDB } from '../tables.ts';

export interface BudgetWithSpent {
  id: string;
  fiscal_year: number;
  category: string;
  allocated: number;
  currency: string;
  created_at: Date;
  spent: number;
  expenses: number;
}

export function budgetsWithSpent(db: Kysely<FinanceDB>) {
  return db
    .selectFrom('budgets as b')
    .select([
      'b.id',
      'b.fiscal_year',
      'b.category',
      'b.allocated',
      'b.currency',
      'b.created_at',
      sql<number>`coalesce((select sum(x.amount) from budget_expenses x where x.budget_id = b.id), 0)::bigint`.as(
        'spent',
      ),
      sql<number>`(select count(*) from budget_expenses x where x.budget_id = b.id)::int`.as('expenses'),
    ]);
}

export async function budgetById(db: Kysely<FinanceDB>, id: string): Promise<BudgetWithSpent | undefined> {
  return (await budgetsWithSpent(db).where('b.id', '=', id).executeTakeFirst()) as
    BudgetWithSpent | undefined;
}
