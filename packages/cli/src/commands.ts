/** The CLI's commands, each a module with `run(args) → exit code`. */
export interface Command {
  summary: string;
  run(args: string[]): Promise<number | undefined>;
}

const lazy = (
  summary: string,
  load: () => Promise<{ run(args: string[]): Promise<number | undefined> }>,
): Command => ({
  summary,
  run: async (args) => (await load()).run(args),
});

export const commands: Record<string, Command> = {
  dev: lazy(
    'run every service and the gateway in one process on embedded storage',
    () => import('./commands/dev.ts'),
  ),
  start: lazy(
    'run one part (a service or the gateway) in distributed mode',
    () => import('./commands/start.ts'),
  ),
  check: lazy(
    'validate portico.yaml and print every mistake with its path',
    () => import('./commands/check.ts'),
  ),
  explain: lazy(
    'show the route, policy chain and decisions for a request',
    () => import('./commands/explain.ts'),
  ),
  migrate: lazy(
    "apply a service's migrations without starting it (distributed)",
    () => import('./commands/migrate.ts'),
  ),
  keys: lazy('manage identity signing keys (keys rotate)', () => import('./commands/keys.ts')),
  new: lazy(
    'write a new service (new service <name>): folder, routes, migration, test, config',
    () => import('./commands/new.ts'),
  ),
  'dead-letters': lazy(
    'list and replay events parked after failing',
    () => import('./commands/dead-letters.ts'),
  ),
  demo: lazy(
    'fill a running platform with a demo school and shop through its API (demo [--url URL])',
    () => import('./commands/demo.ts'),
  ),
  help: {
    summary: 'this list',
    async run() {
      console.log('usage: portico <command> [args]\n');
      for (const [name, c] of Object.entries(commands)) console.log(`  ${name.padEnd(14)} ${c.summary}`);
      return 0;
    },
  },
};
