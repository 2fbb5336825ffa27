/**
 * The patterns behind `common-passwords.txt`: the passwords people pick most, built from the
 * well-known patterns of breach corpora (NIST SP 800-63B §5.1.1.2: refuse "commonly-used,
 * expected or compromised" values) — words and names with digits and years, digit runs,
 * keyboard walks and their leetspeak. Nothing is downloaded. Lower-case: the check is
 * case-insensitive. Only entries of 8+ characters are kept (shorter ones fail the length rule).
 *
 * Regenerate the file: `npx node services/identity/src/domain/common-password-patterns.ts`.
 */
import { writeFileSync } from 'node:fs';

/** Every common password the patterns produce, lower-case, 8–128 characters, sorted. */
export function commonPasswordPatterns(): string[] {
  const words =
    `password passw0rd p@ssword p@ssw0rd pa55word pass letmein welcome welcome1 admin administrator
  root toor user guest login access secret changeme default master qwerty qwert asdf zxcv abc abcd abcde abcdef
  abcdefg abcdefgh iloveyou loveyou lovely monkey dragon football baseball basketball soccer hockey golf tennis
  sunshine princess shadow superman batman spiderman ironman starwars pokemon trustno1 whatever freedom
  michael jennifer jordan hunter ranger buster charlie andrew michelle jessica ashley daniel thomas robert
  matthew joshua william george nicole amanda maggie ginger summer winter spring autumn flower purple orange
  yellow silver golden diamond hello helloworld computer internet samsung google apple iphone android
  microsoft windows linux ubuntu test testing tester portico company office london paris berlin nairobi
  kenya america england canada chelsea arsenal liverpool barcelona madrid cheese coffee chocolate cookie
  banana pepper tigger killer hacker matrix mustang ferrari porsche harley corvette thunder blessed jesus
  christ angel angels heaven family friends forever money monday friday letmein1 qwerty1 azerty zaq1xsw2
  password1 babygirl babyboy butterfly cowboys dolphin eagles falcon phoenix rocky snoopy sparky tiger
  lakers yankees dallas boston chicago`
      .split(/\s+/)
      .filter(Boolean);

  const suffixes = [
    '',
    '1',
    '12',
    '123',
    '1234',
    '12345',
    '123456',
    '1234567',
    '12345678',
    '!',
    '1!',
    '12!',
    '123!',
    '!!',
    '01',
    '007',
    '11',
    '13',
    '21',
    '22',
    '69',
    '77',
    '88',
    '99',
    '100',
    '321',
    '@123',
    '#1',
    '#123',
    '$',
    '.',
    '_1',
    'abc',
    'xyz',
  ];
  const years: string[] = [];
  for (let y = 1990; y <= 2026; y++) years.push(String(y));

  const out = new Set<string>();
  const add = (s: string) => {
    const v = s.toLowerCase();
    if (v.length >= 8 && v.length <= 128) out.add(v);
  };

  for (const w of words) {
    for (const s of suffixes) add(w + s);
    for (const y of years) add(w + y);
    add(w + w);
    add(w.repeat(3));
  }

  // Digit runs and repetitions.
  const digits = '12345678901234567890';
  for (let len = 8; len <= 16; len++) {
    add(digits.slice(0, len));
    add(digits.slice(1, len + 1));
    add('98765432109876543210'.slice(0, len));
    for (let d = 0; d <= 9; d++) add(String(d).repeat(len));
    for (const unit of [
      '12',
      '123',
      '1234',
      '12345',
      '123456',
      '01',
      '69',
      '007',
      'abc',
      'ab',
      'aa',
      'xo',
      'qwe',
      'asd',
    ]) {
      add(unit.repeat(Math.ceil(len / unit.length)).slice(0, len));
    }
  }
  for (const a of ['11', '22', '33', '44', '55', '66', '77', '88', '99', '00'])
    add('1122334455667788990'.slice(0, 12) + a);
  for (let n = 0; n <= 9999; n += 1111) add('0000' + String(n).padStart(4, '0') + '0000');

  // Keyboard walks (QWERTY and AZERTY), their halves, columns and digit-interleaved forms.
  const rows = [
    '1234567890',
    'qwertyuiop',
    'asdfghjkl',
    'zxcvbnm',
    'azertyuiop',
    'qsdfghjklm',
    'wxcvbn',
    '!@#$%^&*()',
  ];
  for (const r of rows) {
    for (let len = 6; len <= r.length; len++) {
      for (let start = 0; start + len <= r.length; start++) {
        const walk = r.slice(start, start + len);
        add(walk);
        for (const s of suffixes) add(walk + s);
        add(walk + [...walk].reverse().join(''));
      }
    }
  }
  const walks = [
    '1qaz2wsx',
    '1qaz2wsx3edc',
    '1qaz2wsx3edc4rfv',
    'zaq12wsx',
    'zaq1zaq1',
    'xsw2zaq1',
    '!qaz2wsx',
    '!qaz@wsx',
    '1q2w3e4r',
    '1q2w3e4r5t',
    '1q2w3e4r5t6y',
    '1q2w3e4r5t6y7u',
    'q1w2e3r4',
    'q1w2e3r4t5',
    'q1w2e3r4t5y6',
    'qazwsxedc',
    'qazwsxedcrfv',
    'qweasdzxc',
    'qweasdzxc123',
    'asdzxcqwe',
    'zxcasdqwe',
    'qwerasdfzxcv',
    'asdfqwer',
    'qwerasdf',
    '1qazxsw2',
    '2wsx3edc',
    '3edc4rfv',
    'poiuytrewq',
    'lkjhgfdsa',
    'mnbvcxz',
    'qwaszx',
    'qwaszx12',
    '123qweasd',
    '123qweasdzxc',
    'qwe123asd',
    'asd123qwe',
    'zxc123asd',
    '1234qwer',
    '1234qwerasdf',
    'qwer1234',
    'asdf1234',
    'zxcv1234',
    'abc123abc',
    'abcd1234',
    'a1b2c3d4',
    'a1b2c3d4e5',
    'a1b2c3d4e5f6',
    '1a2b3c4d',
    'aaaaaaaa',
    'abcabcabc',
  ];
  for (const w of walks) {
    add(w);
    for (const s of suffixes) add(w + s);
    for (const y of years) add(w + y);
  }

  // Leetspeak of the top words.
  const leet = (s: string) =>
    s.replace(/a/g, '@').replace(/o/g, '0').replace(/e/g, '3').replace(/i/g, '1').replace(/s/g, '$');
  for (const w of words.slice(0, 60)) {
    for (const s of ['', '1', '123', '!', '2024', '2025', '2026']) add(leet(w) + s);
    for (const y of years) {
      add(w + '@' + y);
      add(w + y + '!');
    }
  }
  return [...out].sort();
}

if (import.meta.main) {
  const list = commonPasswordPatterns();
  const target = new URL('./common-passwords.txt', import.meta.url);
  writeFileSync(target, list.join('\n') + '\n');
  console.log(`${list.length} passwords written to ${target.pathname}`);
}
