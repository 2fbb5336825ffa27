/** TypeBox schemas of second factors (docs/mfa.md): enrolment, the sign-in's second step. */
import { Type } from '@portico/kit';
import { TokenPair } from './schemas.ts';

const Code = Type.String({
  minLength: 1,
  maxLength: 16,
  description: 'the six-digit code your authenticator app shows now',
});
const RecoveryCode = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'one of your recovery codes (each works once); case, spaces and dashes ignored',
});
const MfaToken = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'from the `mfa_required` or `mfa_enrollment_required` answer of POST /api/v1/auth/login',
});

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'base32; type it into the app if it cannot scan the URI' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/… — show it as a QR code' }),
  algorithm: Type.Literal('SHA1'),
  digits: Type.Literal(6),
  period: Type.Literal(30),
});
export const ConfirmTotpBody = Type.Object({ code: Code });
const RecoveryCodeList = Type.Array(Type.String(), {
  description: 'shown only in this response; each works once',
});
export const RecoveryCodes = Type.Object({ recovery_codes: RecoveryCodeList });
export const DisableTotpBody = Type.Object({
  code: Type.Optional(Code),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});

export const LoginMfaBody = Type.Object({
  mfa_token: MfaToken,
  code: Type.Optional(Code),
  recovery_code: Type.Optional(RecoveryCode),
});
export const MfaTokenBody = Type.Object({ mfa_token: MfaToken });
export const ConfirmTotpAtLoginBody = Type.Object({ mfa_token: MfaToken, code: Code });
export const TokenPairWithRecoveryCodes = Type.Object({
  ...TokenPair.properties,
  recovery_codes: RecoveryCodeList,
});
