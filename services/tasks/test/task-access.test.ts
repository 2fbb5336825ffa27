import { describe, expect, it } from 'vitest';
import { decideTaskAccess, type TaskOperation, type TaskViewer } from '../src/domain/task-access.ts';

const task = { created_by: 'creator', assignee_id: 'assignee' };
const user = (id: string): TaskViewer => ({ id, seesAll: false, actsOnAll: false });
const admin: TaskViewer = { id: 'root', seesAll: true, actsOnAll: true };
const ops: TaskOperation[] = ['read', 'transition', 'edit', 'delete'];

describe('who may act on a task', () => {
  it('lets the creator do everything', () => {
    for (const op of ops) expect(decideTaskAccess(user('creator'), task, op)).toBe('allow');
  });

  it('lets an admin do everything', () => {
    for (const op of ops) expect(decideTaskAccess(admin, task, op)).toBe('allow');
  });

  it('lets the assignee read and change status, and refuses edits and deletes with 403', () => {
    expect(decideTaskAccess(user('assignee'), task, 'read')).toBe('allow');
    expect(decideTaskAccess(user('assignee'), task, 'transition')).toBe('allow');
    expect(decideTaskAccess(user('assignee'), task, 'edit')).toBe('forbidden');
    expect(decideTaskAccess(user('assignee'), task, 'delete')).toBe('forbidden');
  });

  it('hides the task from anyone else (404 for every operation)', () => {
    for (const op of ops) expect(decideTaskAccess(user('stranger'), task, op)).toBe('not_found');
    for (const op of ops)
      expect(decideTaskAccess({ id: null, seesAll: false, actsOnAll: false }, task, op)).toBe('not_found');
  });

  it('gives creator rights to a creator who assigned the task to themselves', () => {
    for (const op of ops)
      expect(decideTaskAccess(user('me'), { created_by: 'me', assignee_id: 'me' }, op)).toBe('allow');
  });

  it('answers 403, not 404, to someone who may read every task but not change this one', () => {
    const auditor: TaskViewer = { id: 'aud', seesAll: true, actsOnAll: false };
    expect(decideTaskAccess(auditor, task, 'read')).toBe('allow');
    expect(decideTaskAccess(auditor, task, 'edit')).toBe('forbidden');
  });
});
