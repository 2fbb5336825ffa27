import { describe, expect, it } from 'vitest';
import { can, scopeOf } from './caller.ts';
import { grantCovers, permissionsForRoles } from './permissions.ts';

const caller = (permissions: string[], id = 'u1') => ({ id, roles: [], permissions, auth: 'jwt' as const });

describe('permissions', () => {
  it('match exact, wildcard and ownership grants', () => {
    expect(grantCovers('orders:read', 'orders:read')).toBe('all');
    expect(grantCovers('orders:*', 'orders:cancel')).toBe('all');
    expect(grantCovers('*', 'anything:at-all')).toBe('all');
    expect(grantCovers('orders:*:own', 'orders:read')).toBe('own');
    expect(grantCovers('orders:read', 'orders:write')).toBe(false);
    expect(grantCovers('products:*', 'orders:read')).toBe(false);
  });

  it('let an :own grant pass only for the owner', () => {
    const c = caller(['orders:read:own']);
    expect(can(c, 'orders:read', { ownerId: 'u1' })).toBe(true);
    expect(can(c, 'orders:read', { ownerId: 'u2' })).toBe(false);
    expect(scopeOf(c, 'orders:read')).toBe('own');
    expect(can(caller(['orders:*']), 'orders:read', { ownerId: 'u2' })).toBe(true);
  });

  it('grant an admin everything and a plain user no admin permission', () => {
    expect(scopeOf(caller(permissionsForRoles(['admin'])), 'users:write')).toBe('all');
    expect(scopeOf(caller(permissionsForRoles(['user'])), 'users:write')).toBe(false);
    expect(scopeOf(caller(permissionsForRoles(['user'])), 'audit-logs:read')).toBe(false);
    expect(permissionsForRoles(['no-such-role'])).toEqual([]);
  });
});
