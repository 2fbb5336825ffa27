/** One log-level variable for every part: `PORTICO_LOG_LEVEL` (`LOG_LEVEL` is a deprecated alias). */
import { describe, expect, it } from 'vitest';
import { createLogger, logLevel } from '../observability/logger.ts';
import { SettingsError } from './settings.ts';

describe('the log level', () => {
  it('is PORTICO_LOG_LEVEL, else the deprecated LOG_LEVEL, else info', () => {
    expect(logLevel({ PORTICO_LOG_LEVEL: 'debug', LOG_LEVEL: 'warn' })).toBe('debug');
    expect(logLevel({ LOG_LEVEL: 'warn' })).toBe('warn');
    expect(logLevel({})).toBe('info');
  });

  it('refuses an unknown level naming the variable and the allowed ones', () => {
    expect(() => logLevel({ PORTICO_LOG_LEVEL: 'loud' })).toThrow(SettingsError);
    expect(() => logLevel({ PORTICO_LOG_LEVEL: 'loud' })).toThrow(
      /PORTICO_LOG_LEVEL is not an allowed value \(allowed: fatal, error, warn, info, debug, trace, silent\)/,
    );
  });

  it('is what createLogger uses when given none', () => {
    const saved = process.env.PORTICO_LOG_LEVEL;
    process.env.PORTICO_LOG_LEVEL = 'error';
    try {
      expect(createLogger().level).toBe('error');
      expect(createLogger({ level: 'trace' }).level).toBe('trace');
    } finally {
      if (saved === undefined) delete process.env.PORTICO_LOG_LEVEL;
      else process.env.PORTICO_LOG_LEVEL = saved;
    }
  });
});
