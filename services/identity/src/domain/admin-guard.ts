/**
 * The rule that keeps Portico administrable: the bootstrap admin and the last active admin can
 * be neither disabled nor demoted (409). Pure: the caller supplies the facts under a lock.
 */

export interface AdminGuardFacts {
  target: { is_bootstrap: boolean; roles: readonly string[]; status: string };
  /** Active admins other than the target. */
  otherActiveAdmins: number;
}

/** Why a change that removes an admin must be refused, or null when it may go ahead. */
export function adminRemovalRefusal(facts: AdminGuardFacts, change: 'disable' | 'demote'): string | null {
  const isAdmin = facts.target.roles.includes('admin');
  if (!isAdmin) return null;
  const verb = change === 'disable' ? 'disabled' : 'demoted';
  if (facts.target.is_bootstrap) return `The bootstrap admin cannot be ${verb}`;
  if (facts.target.status === 'active' && facts.otherActiveAdmins === 0)
    return `The last active admin cannot be ${verb}`;
  return null;
}
