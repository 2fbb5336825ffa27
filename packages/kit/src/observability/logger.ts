/**
 * pino JSON logs. Secrets never reach a log line: credentials in headers and bodies are redacted
 * by path, whatever the handler logs. The level of every part (services and the gateway) is
 * `PORTICO_LOG_LEVEL`, read by `logLevel()`.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { Type } from 'typebox';
import { loadSettings } from '../config/settings.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const level = (description: string) =>
  Type.Optional(
    Type.Union(
      LOG_LEVELS.map((l) => Type.Literal(l)),
      { description },
    ),
  );

/** The log-level variables: one, plus the name it had before (still read, deprecated). */
export const LoggingSettings = Type.Object({
  PORTICO_LOG_LEVEL: level('pino level, default info'),
  LOG_LEVEL: level('deprecated alias of PORTICO_LOG_LEVEL'),
});

/** `PORTICO_LOG_LEVEL` (else the deprecated `LOG_LEVEL`, else `info`); a bad value is a `SettingsError`. */
export function logLevel(source: Record<string, string | undefined> = process.env): LogLevel {
  const env = loadSettings(LoggingSettings, source);
  return env.PORTICO_LOG_LEVEL ?? env.LOG_LEVEL ?? 'info';
}

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
    level: opts.level ?? logLevel(),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: opts.name ? { svc: opts.name } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination as never) : pino(options);
}
