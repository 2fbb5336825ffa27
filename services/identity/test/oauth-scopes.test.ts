/**
 * A token's scopes never exceed its user's permissions: for any roles and any requested scopes,
 * what identity lets the user grant (grantableScopes) and what the gateway then gives the token
 * (tokenPermissions) reach no record the user's roles do not — checked against every permission
 * a service might require, at its reach (`all` vs `own`).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { permissionScope, permissionsForRoles } from '@portico/kit';
import { ROLES, isPermissionScope, scopeCovered, tokenPermissions } from '@portico/contracts';
import { grantableScopes } from '../src/domain/oauth-scopes.ts';

const RESOURCES = [
  'tasks',
  'categories',
  'orders',
  'users',
  'api-keys',
  'profile',
  'students',
  'courses',
  '*',
];
const ACTIONS = ['read', 'create', 'update', 'delete', 'assign', 'write', '*'];

const permission = fc
  .tuple(fc.constantFrom(...RESOURCES), fc.constantFrom(...ACTIONS), fc.boolean())
  .map(([r, a, own]) => `${r}:${a}${own ? ':own' : ''}`);
const scopeWord = fc.oneof(
  permission,
  fc.constantFrom('openid', 'profile', 'email', 'offline_access', '*', 'admin', 'tasks', 'x:y:z:w'),
);
const roles = fc.subarray([...ROLES]);
const requested = fc.array(scopeWord, { maxLength: 12 });

const reachRank = { all: 2, own: 1 } as const;
const rank = (r: 'all' | 'own' | false) => (r === false ? 0 : reachRank[r]);
const checks = fc.array(permission, { minLength: 1, maxLength: 8 });

/** For every permission a service might require, the token reaches no further than its user. */
function reachesNoFurther(tokenPerms: string[], held: string[], required: string[]): void {
  for (const c of required)
    expect(rank(permissionScope(tokenPerms, c))).toBeLessThanOrEqual(rank(permissionScope(held, c)));
}

describe('OAuth scopes against the user’s permissions (property)', () => {
  it('what a user may grant, and what the token then carries, never reaches further than the user', () => {
    fc.assert(
      fc.property(roles, requested, checks, (r, req, required) => {
        const held = permissionsForRoles(r);
        const granted = grantableScopes(held, req);
        const tokenPerms = tokenPermissions(granted.join(' '), held);
        for (const p of tokenPerms) expect(scopeCovered(held, p)).toBe(true);
        reachesNoFurther(tokenPerms, held, required);
      }),
      { numRuns: 2000 },
    );
  });

  it('the gateway narrows even a scope nobody filtered (a token minted before a demotion)', () => {
    fc.assert(
      fc.property(roles, requested, checks, (r, req, required) => {
        const held = permissionsForRoles(r);
        const tokenPerms = tokenPermissions(req.join(' '), held);
        reachesNoFurther(tokenPerms, held, required);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every requested scope the user does hold (it narrows, it does not drop at random)', () => {
    fc.assert(
      fc.property(roles, requested, (r, req) => {
        const held = permissionsForRoles(r);
        const granted = grantableScopes(held, req);
        for (const s of req) {
          if (['openid', 'email', 'offline_access'].includes(s)) expect(granted).toContain(s);
          if (isPermissionScope(s) && scopeCovered(held, s)) expect(granted).toContain(s);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('examples: a user asking for tasks:read gets nothing from it; an admin gets it', () => {
    expect(
      grantableScopes(permissionsForRoles(['user']), ['openid', 'tasks:read', 'tasks:read:own']),
    ).toEqual(['openid', 'tasks:read:own']);
    expect(grantableScopes(permissionsForRoles(['admin']), ['tasks:read'])).toEqual(['tasks:read']);
    // A client acting as itself has exactly its scopes.
    expect(tokenPermissions('tasks:read openid', null)).toEqual(['tasks:read']);
  });
});
