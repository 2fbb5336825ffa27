/**
 * Hot reload: the config file is watched (its directory, so editors that replace the file by
 * rename are seen) and SIGHUP forces a reload. A new file is validated first; only a valid one
 * is applied, an invalid one is logged with every mistake and the running config stays.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { parseGatewayConfig } from './config/load.ts';
import type { GatewayConfig } from './config/schema.ts';

export function watchConfig(
  path: string,
  log: Logger,
  on: { apply: (config: GatewayConfig) => void; rejected: () => void },
): () => void {
  const file = resolve(path);
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  const check = async (force: boolean): Promise<void> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      log.warn({ err, file }, 'config file unreadable; keeping the running config');
      return;
    }
    if (!force && text === last) return;
    const result = parseGatewayConfig(text);
    if (!result.ok) {
      last = text;
      on.rejected();
      log.error(
        {
          file,
          errors: result.errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.path}: ${e.message}`),
        },
        'config file rejected; keeping the running config',
      );
      return;
    }
    last = text;
    try {
      on.apply(result.config);
    } catch (err) {
      on.rejected();
      log.error({ err, file }, 'config could not be applied; keeping the running config');
    }
  };
  void readFile(file, 'utf8').then(
    (t) => (last = t),
    () => {},
  );
  const schedule = (force: boolean) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void check(force), 100);
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(file), (_event, name) => {
      if (name === null || name === basename(file)) schedule(false);
    });
    watcher.unref();
  } catch (err) {
    log.warn({ err, file }, 'config file cannot be watched; SIGHUP still reloads it');
  }
  const onHup = () => schedule(true);
  process.on('SIGHUP', onHup);
  return () => {
    watcher?.close();
    if (timer) clearTimeout(timer);
    process.off('SIGHUP', onHup);
  };
}
