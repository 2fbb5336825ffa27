/**
 * The names a new service is written with, all derived from its kebab-case name and the plural
 * of its first resource: the URL segment, the table, the event type, the TypeScript
 * identifiers. Deriving them in one place keeps the templates free of string juggling.
 */

/** Lower-case kebab, as the kit's `defineService` and database schema names require. */
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_LENGTH = 40;

/**
 * Names Portico gives another meaning (`portico start gateway`, the packages), and schema
 * names PostgreSQL keeps for itself (a service's name is its schema's).
 */
const RESERVED = new Set(['gateway', 'kit', 'cli', 'contracts', 'public', 'information-schema']);

export interface Names {
  /** The service: `demo-notes` (folder, schema, package `@portico/demo-notes`). */
  service: string;
  /** `DemoNotes`, `demoNotes`, `DEMO_NOTES` (environment variables). */
  ServicePascal: string;
  serviceCamel: string;
  SERVICE_ENV: string;
  /** `demo_notes`: its database name in compose and Kubernetes. */
  serviceSnake: string;
  /** The first resource, plural kebab: the URL segment `/api/v1/<plural>` and the route name. */
  plural: string;
  /** Singular kebab (`note`), for file names. */
  singular: string;
  /** Table name (plural snake) and the event entity (singular snake): `notes`, `note.created`. */
  table: string;
  entity: string;
  /** `Note`, `note`: TypeScript identifiers. */
  Singular: string;
  singularCamel: string;
  /** `Notes`, `notes` as words for prose (`demo notes`). */
  PluralWords: string;
  pluralWords: string;
  singularWords: string;
}

/** Why `name` cannot name a service or resource, or null when it can. */
export function nameProblem(name: string, what = 'a service name'): string | null {
  if (!KEBAB.test(name))
    return `"${name}" is not ${what}: use lower-case kebab-case (letters, digits, single hyphens; starting with a letter), e.g. "course-notes"`;
  if (name.length > MAX_LENGTH) return `"${name}" is too long for ${what} (${MAX_LENGTH} characters at most)`;
  if (what === 'a service name' && (RESERVED.has(name) || name.startsWith('pg-')))
    return `"${name}" is reserved (Portico or PostgreSQL gives it another meaning)`;
  // The kit keeps its own tables (kit_outbox, kit_inbox, …) in every service's schema.
  if (name.startsWith('kit-')) return `"${name}" is reserved: names starting with "kit-" are the kit's`;
  return null;
}

/** English singular of a kebab plural's last word: `categories` → `category`, `boxes` → `box`. */
export function singularOf(plural: string): string {
  const head = plural.slice(0, plural.lastIndexOf('-') + 1);
  const word = plural.slice(head.length);
  let one = word;
  if (/[^aeiou]ies$/.test(word)) one = `${word.slice(0, -3)}y`;
  else if (/(s|x|z|ch|sh)es$/.test(word)) one = word.slice(0, -2);
  else if (/[^su]s$/.test(word)) one = word.slice(0, -1);
  return head + one;
}

const words = (kebab: string) => kebab.split('-');
const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const pascal = (kebab: string) => words(kebab).map(cap).join('');
const camel = (kebab: string) => {
  const p = pascal(kebab);
  return p.charAt(0).toLowerCase() + p.slice(1);
};
const snake = (kebab: string) => kebab.replaceAll('-', '_');

export function deriveNames(service: string, plural = service): Names {
  const singular = singularOf(plural);
  return {
    service,
    ServicePascal: pascal(service),
    serviceCamel: camel(service),
    SERVICE_ENV: snake(service).toUpperCase(),
    serviceSnake: snake(service),
    plural,
    singular,
    table: snake(plural),
    entity: snake(singular),
    Singular: pascal(singular),
    singularCamel: camel(singular),
    PluralWords: cap(words(plural).join(' ')),
    pluralWords: words(plural).join(' '),
    singularWords: words(singular).join(' '),
  };
}
