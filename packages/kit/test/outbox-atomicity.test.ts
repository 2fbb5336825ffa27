/**
 * "The event is written in the same transaction as the data" means atomicity: a transaction that
 * fails after the outbox insert leaves neither the domain row nor the outbox row, and one that
 * commits leaves both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Transaction } from 'kysely';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  type TestServices,
} from '../src/testing/index.ts';
import { notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`the outbox commits and rolls back with the data (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService]);
  });
  afterAll(() => env?.stop());

  const deps = () => env.services.get('notes')!.deps;
  let n = 0;
  const newId = () => `atomic-${process.pid}-${n++}`;

  const writeNote = (trx: Transaction<any>, id: string) =>
    trx.insertInto('notes').values({ id, owner_id: 'atomic', body: 'x' }).execute();
  const publishNote = (trx: Transaction<any>, id: string) =>
    deps().publish(trx, 'note.created', { note_id: id, owner_id: 'atomic' }, { subject: id });

  /** What the database holds for the note: its row, and the outbox rows whose event is about it. */
  async function stored(id: string) {
    const db = deps().db;
    const notes = await db.selectFrom('notes').select('id').where('id', '=', id).execute();
    const outbox = (
      await sql<{
        type: string;
      }>`select type from kit_outbox where event->>'subject' = ${id} or event->'data'->>'note_id' = ${id}`.execute(
        db,
      )
    ).rows;
    return { notes: notes.length, outbox: outbox.map((r) => r.type) };
  }

  it.each([
    ['the row, then the event', [writeNote, publishNote]],
    ['the event, then the row', [publishNote, writeNote]],
  ] as const)('leaves neither row when the transaction throws after writing %s', async (_, steps) => {
    const id = newId();
    let wrote = false;
    await expect(
      deps().tx(async (trx) => {
        for (const step of steps) await step(trx, id);
        // Inside the transaction both rows exist…
        const inside = await trx.selectFrom('notes').select('id').where('id', '=', id).execute();
        const outboxInside = await sql`select 1 from kit_outbox where event->>'subject' = ${id}`.execute(trx);
        wrote = inside.length === 1 && outboxInside.rows.length === 1;
        throw new Error('fails after the outbox insert');
      }),
    ).rejects.toThrow('fails after the outbox insert');
    expect(wrote).toBe(true);
    // …and after the rollback neither does.
    expect(await stored(id)).toEqual({ notes: 0, outbox: [] });
  });

  it('leaves neither row when a statement after the outbox insert fails in the database', async () => {
    const id = newId();
    await expect(
      deps().tx(async (trx) => {
        await writeNote(trx, id);
        await publishNote(trx, id);
        await writeNote(trx, id); // the same primary key again: the database refuses it
      }),
    ).rejects.toThrow();
    expect(await stored(id)).toEqual({ notes: 0, outbox: [] });
  });

  it('keeps both rows when the transaction commits', async () => {
    const id = newId();
    const event = await deps().tx(async (trx) => {
      await writeNote(trx, id);
      return publishNote(trx, id);
    });
    expect(event).toMatchObject({ type: 'note.created', subject: id, data: { note_id: id } });
    expect(await stored(id)).toEqual({ notes: 1, outbox: ['note.created'] });
  });
});
