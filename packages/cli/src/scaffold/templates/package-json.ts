/** `services/<name>/package.json`: the workspace, its embedded port (the one place it is declared). */
import type { Names } from '../names.ts';

export function packageJson(n: Names, port: number): string {
  const pkg = {
    name: `@portico/${n.service}`,
    private: true,
    type: 'module',
    exports: { '.': './src/service.ts' },
    portico: { port },
    dependencies: { '@portico/contracts': '*', '@portico/kit': '*', uuidv7: '^1.2.1' },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
