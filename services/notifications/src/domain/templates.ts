/**
 * `{{name}}` templates: plain-text placeholders filled from a send's `variables`. Rendering is a
 * single pass (a value containing `{{x}}` is not expanded again) and a placeholder without a
 * value is an error naming it, never an empty string sent to a customer.
 *
 * @example
 *   render('Hi {{ name }}', { name: 'Ada' }) // → { ok: true, text: 'Hi Ada' }
 *   render('Hi {{name}}', {})              // → { ok: false, missing: ['name'] }
 */
export type TemplateValue = string | number | boolean;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The distinct variable names a text uses, in order of first use. */
export function variablesOf(...texts: string[]): string[] {
  const out: string[] = [];
  for (const text of texts)
    for (const m of text.matchAll(PLACEHOLDER)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** Why a template text is malformed (an unclosed or empty `{{ }}`), or null when it is fine. */
export function syntaxError(text: string): string | null {
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}'))
    return 'has a malformed {{placeholder}} (use {{name}} with letters, digits, _ . -)';
  return null;
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

export function render(text: string, variables: Readonly<Record<string, TemplateValue>>): RenderResult {
  const missing = variablesOf(text).filter((name) => !Object.hasOwn(variables, name));
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: text.replace(PLACEHOLDER, (_m, name: string) => String(variables[name])) };
}
