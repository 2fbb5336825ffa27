import { describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { loadSettings, SettingsError } from './settings.ts';

const Schema = Type.Object({
  SMTP_URL: Type.Optional(Type.String({ format: 'uri', description: 'smtp://user:pass@host:port' })),
  PORT: Type.Integer({ minimum: 1, maximum: 65535 }),
  MODE: Type.Union([Type.Literal('fast'), Type.Literal('safe')], { default: 'safe' }),
});

describe('settings from the environment', () => {
  it('coerce and default valid values', () => {
    expect(loadSettings(Schema, { PORT: '8080' })).toEqual({ PORT: 8080, MODE: 'safe' });
  });

  it('name every wrong variable and what is allowed', () => {
    try {
      loadSettings(Schema, { PORT: 'eighty', MODE: 'turbo', SMTP_URL: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SettingsError);
      const text = (err as Error).message;
      expect(text).toContain('PORT');
      expect(text).toContain('SMTP_URL');
      expect(text).toMatch(/MODE.*allowed: fast, safe/);
    }
  });

  it('name a bad number instead of passing NaN on, one line per variable', () => {
    try {
      loadSettings(Schema, { PORT: '80x', MODE: 'turbo' });
      expect.unreachable();
    } catch (err) {
      expect((err as SettingsError).problems).toEqual([
        'PORT must be integer',
        'MODE is not an allowed value (allowed: fast, safe)',
      ]);
    }
  });

  it('report a missing required variable', () => {
    expect(() => loadSettings(Schema, {})).toThrow(/PORT is required/);
  });
});
