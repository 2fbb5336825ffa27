/**
 * pino JSON logs. Secrets never reach a log line: credentials in headers and bodies are redacted
 * by path, whatever the handler logs.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-portico-passport"]',
  'req.headers.cookie',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.secret',
  '*.key',
  'password',
  'token',
];

export function createLogger(
  opts: { name?: string; level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: opts.name ? { svc: opts.name } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination as never) : pino(options);
}
