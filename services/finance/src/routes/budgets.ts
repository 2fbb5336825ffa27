/**
 * `/api/v1/budgets` (admin, staff): an allocation per fiscal year and category (unique: 409),
 * expenses recorded against it, and the report of allocated vs spent. Spending past the
 * allocation is recorded (the money is gone) and shows as `over_budget` with a negative remainder.
 */
import { AppError, PageOf, paginate, sendPage } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { actorOf, requireAll } from '../access.ts';
import { translateUnique } from '@portico/kit';
import type { RouteModule } from '../deps.ts';
import { budgetById, budgetsWithSpent, type BudgetWithSpent } from '../repository/budgets.ts';
import {
  Budget,
  BudgetInput,
  BudgetQuery,
  BudgetReport,
  Expense,
  ExpenseInput,
  IdParams,
  ReportQuery,
} from '../schemas.ts';

const tags = ['budgets'];

const view = (b: BudgetWithSpent) => ({
  id: b.id,
  fiscal_year: b.fiscal_year,
  category: b.category,
  allocated: b.allocated,
  spent: Number(b.spent),
  remaining: b.allocated - Number(b.spent),
  currency: b.currency,
  created_at: b.created_at.toISOString(),
});

export const budgetRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/budgets',
    {
      config: { permission: 'finance:budgets' },
      schema: {
        tags,
        summary: 'Allocate a budget for a fiscal year and category',
        description: 'One per fiscal year and category (409 `already_exists` naming both).',
        body: BudgetInput,
        response: { 201: Budget },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'finance:budgets');
      const id = uuidv7();
      await deps.db
        .insertInto('budgets')
        .values({ id, ...req.body, category: req.body.category.trim() })
        .execute()
        .catch((err: unknown) => translateUnique(err, 'budget', ['fiscal_year', 'category']));
      return reply
        .code(201)
        .header('location', `/api/v1/budgets/${id}`)
        .send(view((await budgetById(deps.db, id))!));
    },
  );

  app.get(
    '/api/v1/budgets',
    {
      config: { permission: 'finance:budgets' },
      schema: { tags, summary: 'List budgets', querystring: BudgetQuery, response: { 200: PageOf(Budget) } },
    },
    async (req, reply) => {
      requireAll(req.caller, 'finance:budgets');
      let q = budgetsWithSpent(deps.db);
      if (req.query.fiscal_year !== undefined) q = q.where('b.fiscal_year', '=', req.query.fiscal_year);
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'b.id',
        id: 'b.id',
        direction: 'desc',
      });
      return sendPage(reply, { ...page, data: (page.data as BudgetWithSpent[]).map(view) });
    },
  );

  app.get(
    '/api/v1/budgets/report',
    {
      config: { permission: 'finance:budgets' },
      schema: {
        tags,
        summary: 'Allocated vs spent per category for a fiscal year',
        querystring: ReportQuery,
        response: { 200: BudgetReport },
      },
    },
    async (req) => {
      requireAll(req.caller, 'finance:budgets');
      const rows = (await budgetsWithSpent(deps.db)
        .where('b.fiscal_year', '=', req.query.fiscal_year)
        .orderBy('b.category')
        .execute()) as BudgetWithSpent[];
      return {
        fiscal_year: req.query.fiscal_year,
        categories: rows.map((b) => ({
          budget_id: b.id,
          category: b.category,
          currency: b.currency,
          allocated: b.allocated,
          spent: Number(b.spent),
          remaining: b.allocated - Number(b.spent),
          over_budget: Number(b.spent) > b.allocated,
          expenses: Number(b.expenses),
        })),
      };
    },
  );

  app.get(
    '/api/v1/budgets/:id',
    {
      config: { permission: 'finance:budgets' },
      schema: { tags, summary: 'Get a budget', params: IdParams, response: { 200: Budget } },
    },
    async (req) => {
      requireAll(req.caller, 'finance:budgets');
      const b = await budgetById(deps.db, req.params.id);
      if (!b) throw AppError.notFound('Budget');
      return view(b);
    },
  );

  app.post(
    '/api/v1/budgets/:id/expenses',
    {
      config: { permission: 'finance:budgets' },
      schema: {
        tags,
        summary: 'Record an expense against a budget',
        params: IdParams,
        body: ExpenseInput,
        response: { 201: Expense },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'finance:budgets');
      if (!(await budgetById(deps.db, req.params.id))) throw AppError.notFound('Budget');
      const row = await deps.db
        .insertInto('budget_expenses')
        .values({
          id: uuidv7(),
          budget_id: req.params.id,
          amount: req.body.amount,
          description: req.body.description.trim(),
          spent_on: req.body.spent_on,
          created_by: actorOf(req.caller),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).header('location', `/api/v1/budgets/${row.budget_id}`).send({
        id: row.id,
        budget_id: row.budget_id,
        amount: row.amount,
        description: row.description,
        spent_on: row.spent_on,
        created_at: row.created_at.toISOString(),
      });
    },
  );
};
