/** The principal of a request without credentials; its passports are shared by every such request. */
import { principal } from './auth/principal.ts';

export const anonymousPrincipal = principal(
  { id: null, roles: [], permissions: [], auth: 'anonymous' },
  Infinity,
  [],
);
