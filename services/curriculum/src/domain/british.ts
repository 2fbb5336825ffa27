/** The British curriculum's levels a subject is taught at. */
export const BRITISH_LEVELS = ['primary', 'secondary', 'igcse', 'as_level', 'a_level'] as const;
export type BritishLevel = (typeof BRITISH_LEVELS)[number];
