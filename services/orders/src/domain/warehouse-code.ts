/** Warehouse codes are case-insensitive on input and stored upper-case (`mba` finds `MBA`). */
export const normaliseCode = (code: string) => code.toUpperCase();
