/**
 * Roles map to permissions `resource:action` with wildcards (`orders:*`, `*`) and an ownership
 * suffix (`orders:read:own`). The gateway checks a route's permission; services check ownership
 * through `can(caller, perm, { ownerId })`. The kit holds the mechanism; which role gets which
 * permission is each domain's business (`@portico/contracts` registers the grants with
 * `registerRoleGrants()`), so adding a service touches no kit file.
 */
const grants = new Map<string, Set<string>>();

/** Adds a domain's grants per role (`{ staff: ['orders:*'], user: ['orders:*:own'] }`). */
export function registerRoleGrants(table: Readonly<Record<string, readonly string[]>>): void {
  for (const [role, perms] of Object.entries(table)) {
    let set = grants.get(role);
    if (!set) grants.set(role, (set = new Set()));
    for (const p of perms) set.add(p);
  }
}

/** The roles some domain granted permissions to. */
export function knownRoles(): string[] {
  return [...grants.keys()];
}

/** The union of the permissions of the given roles (unknown role names grant nothing). */
export function permissionsForRoles(roles: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roles) for (const p of grants.get(r) ?? []) out.add(p);
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
