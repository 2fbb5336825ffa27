/**
 * Text other users wrote (a task title) inside a message the platform sends in its own name.
 * `quoteUserText` makes it inert as plain text: control and format characters (line breaks,
 * bidi overrides, zero-width characters) become spaces, runs of white space one space, the length
 * is clipped, and link schemes are defanged (`https://` → `https[:]//`) so a mail client does not
 * turn the quote into a clickable link. `escapeHtml` is applied to everything an HTML email body
 * shows (delivery/mailer.ts), so quoted text can never become markup.
 */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const SCHEME = /\b([a-z][a-z0-9+.-]{1,31}):\/\//gi;

export function quoteUserText(text: string, max = 120): string {
  const clean = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  const clipped = clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  return clipped.replace(SCHEME, '$1[:]//');
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}
