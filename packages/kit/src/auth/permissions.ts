/**
 * Roles map to permissions `resource:action` with wildcards (`orders:*`, `*`) and an ownership
 * suffix (`orders:read:own`). The gateway checks a route's permission; services check ownership
 * through `can(caller, perm, { ownerId })`.
 */
export const ROLES = ['admin', 'staff', 'instructor', 'student', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const rolePermissions: Record<Role, readonly string[]> = {
  admin: ['*'],
  staff: [
    'products:*',
    'warehouses:*',
    'stock:*',
    'orders:*',
    'carts:*:own',
    'shipments:*',
    'tasks:*:own',
    'tasks:assign',
    'categories:*:own',
    'notifications:*',
    'notification-templates:*',
    'webhooks:*:own',
    'students:*',
    'competencies:*',
    'courses:*',
    'programs:*',
    'enrollments:*',
    'grades:*',
    'departments:read',
    'staff:read',
    'absences:*:own',
    'finance:*',
    'invoices:*',
    'payments:*',
    'api-keys:*:own',
    'profile:*:own',
  ],
  instructor: [
    'students:read',
    'courses:read',
    'competencies:read',
    'enrollments:read',
    'grades:write',
    'products:read',
    'orders:*:own',
    'carts:*:own',
    'shipments:read:own',
    'tasks:*:own',
    'tasks:assign',
    'categories:*:own',
    'notifications:*:own',
    'webhooks:*:own',
    'api-keys:*:own',
    'profile:*:own',
  ],
  student: [
    'students:read:own',
    'courses:read',
    'competencies:read',
    'enrollments:*:own',
    'invoices:read:own',
    'payments:create:own',
    'finance:read:own',
    'products:read',
    'orders:*:own',
    'carts:*:own',
    'shipments:read:own',
    'tasks:*:own',
    'categories:*:own',
    'notifications:*:own',
    'webhooks:*:own',
    'api-keys:*:own',
    'profile:*:own',
  ],
  user: [
    'products:read',
    'orders:*:own',
    'carts:*:own',
    'shipments:read:own',
    'tasks:*:own',
    'categories:*:own',
    'notifications:*:own',
    'webhooks:*:own',
    'api-keys:*:own',
    'profile:*:own',
    'courses:read',
    'competencies:read',
  ],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The union of the permissions of the given roles (unknown role names grant nothing). */
export function permissionsForRoles(roles: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roles) if (isRole(r)) for (const p of rolePermissions[r]) out.add(p);
  return [...out];
}

/**
 * Whether a granted permission covers a required one. `*` in a segment matches any value; a
 * grant ending in `:own` covers the requirement only for the caller's own records.
 * Returns 'all', 'own' or false.
 */
export function grantCovers(granted: string, required: string): 'all' | 'own' | false {
  const g = granted.split(':');
  const own = g.length === 3 && g[2] === 'own';
  const gs = own ? g.slice(0, 2) : g;
  const r = required.split(':');
  const reqOwn = r.length === 3 && r[2] === 'own';
  const rs = reqOwn ? r.slice(0, 2) : r;
  if (gs.length === 1 && gs[0] === '*') return own ? 'own' : 'all';
  if (gs[0] !== '*' && gs[0] !== rs[0]) return false;
  if (gs.length > 1 && rs.length > 1 && gs[1] !== '*' && gs[1] !== rs[1]) return false;
  return own ? 'own' : 'all';
}

/** The strongest scope any of `permissions` gives for `required`. */
export function permissionScope(permissions: readonly string[], required: string): 'all' | 'own' | false {
  let best: 'all' | 'own' | false = false;
  for (const p of permissions) {
    const s = grantCovers(p, required);
    if (s === 'all') return 'all';
    if (s === 'own') best = 'own';
  }
  return best;
}
