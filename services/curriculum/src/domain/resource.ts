/** Learning resources: their kinds, and the one URL rule (https only). */
export const RESOURCE_TYPES = [
  'document',
  'video',
  'audio',
  'interactive',
  'image',
  'presentation',
  'link',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Only `https:` with a host: no http, javascript:, data: or file: links handed to students. */
export function isHttpsUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname !== '';
  } catch {
    return false;
  }
}
