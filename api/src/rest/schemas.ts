// Every REST route's params, bodies and responses, as JSON Schema (TypeBox). Bodies reject
// unknown fields (mass assignment) and wrong types; the task service enforces the rest.
import { Type, type Static } from '@sinclair/typebox';
import { DESCRIPTION_MAX, NAME_MAX, PAGE_DEFAULT, PAGE_MAX, TITLE_MAX } from '@taskgate/common/limits';
import { PASSWORD_MAX, PASSWORD_MIN } from '@taskgate/common/password';
import { SECURITY_EVENT_TYPES, SIGN_IN_METHODS, type SecurityEventType, type SignInMethod } from '../domain/accounts/events.js';

/** Dates leave as ISO-8601 strings (the serializer formats Date objects). */
const DateTimeJson = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

const strictObject = <T extends Parameters<typeof Type.Object>[0]>(props: T) =>
  Type.Object(props, { additionalProperties: false });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
      requestId: Type.String({ description: 'Also in the x-request-id header and on every log line of the request.' }),
    }),
  },
  { $id: 'Error' },
);

export const UserBody = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  createdAt: DateTimeJson,
});

/** The signed-in user as GET/PATCH /api/auth/me answer it. */
export const MeBody = Type.Object({
  user: Type.Object({
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    createdAt: DateTimeJson,
    emailVerified: Type.Boolean(),
    twoFactorEnabled: Type.Boolean({ description: 'Whether sign-in asks for a code from an authenticator app (or a backup code) after the password.' }),
  }),
});

export const TaskBody = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  completed: Type.Boolean(),
  createdAt: DateTimeJson,
  updatedAt: DateTimeJson,
  version: Type.Integer(),
});

/** The ETag of a task's answer: its version, quoted ("v3"), for If-Match on the next write. */
const EtagHeader = { type: 'string', description: 'The task version as a strong entity tag, e.g. "v3"; send it back in If-Match.' } as const;

/** A task answer with its ETag header (@fastify/swagger documents a response schema's `headers`). */
export const TaskWithEtag = Type.Object(TaskBody.properties, { headers: { etag: EtagHeader } });

/** A created task: 201 with Location (the new task's URL) and ETag. */
export const CreatedTask = Type.Object(TaskBody.properties, {
  headers: { location: { type: 'string', format: 'uri', description: 'The URL of the new task.' }, etag: EtagHeader },
});

export const TaskListBody = Type.Object({
  tasks: Type.Array(TaskBody),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

// Lengths are checked again after trimming by the task service; these bound the raw input.
const Title = Type.String({ maxLength: TITLE_MAX * 4 });
const Description = Type.Union([Type.String({ maxLength: DESCRIPTION_MAX }), Type.Null()]);

export const CreateTaskBody = strictObject({ title: Title, description: Type.Optional(Description) });
export const ReplaceTaskBody = strictObject({ title: Title, description: Description, completed: Type.Boolean() });
export const PatchTaskBody = strictObject({
  title: Type.Optional(Title),
  description: Type.Optional(Description),
  completed: Type.Optional(Type.Boolean()),
});

export const TaskParams = strictObject({ id: Type.String({ format: 'uuid' }) });
export const UserTaskParams = strictObject({ userId: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ format: 'uuid' }) });
export const UserParams = strictObject({ userId: Type.String({ minLength: 1, maxLength: 64 }) });

export const ListQuery = strictObject({
  status: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('pending'), Type.Literal('completed')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

export const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 64 })) });

export const RegisterBody = strictObject({
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX }),
  // 1–100 characters once trimmed: the account service checks (both sign-up doors alike).
  name: Type.String({ minLength: 1, maxLength: NAME_MAX * 4, pattern: '\\S' }),
});
export const LoginBody = strictObject({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
});
export const DeleteAccountBody = strictObject({ password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }) });
// New passwords: the account service applies the policy (8–128 characters, strength) and answers
// WEAK_PASSWORD, as GraphQL does; the schema only bounds the raw input.
const NewPassword = Type.String({ maxLength: 4096 });
export const ChangePasswordBody = strictObject({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  newPassword: NewPassword,
  revokeOtherSessions: Type.Optional(Type.Boolean()),
});
export const ForgotPasswordBody = strictObject({ email: Type.String({ format: 'email', maxLength: 254 }) });
// A TOTP code: 6 digits (spaces around are trimmed). A backup code: `xxxxx-xxxxx`.
const TotpCode = Type.String({ minLength: 1, maxLength: 32, description: 'The 6-digit code from the authenticator app.' });
const BackupCode = Type.String({ minLength: 1, maxLength: 64, description: 'One of the ten backup codes (each works once).' });
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX });
export const ResetPasswordBody = strictObject({
  token: Type.String({ minLength: 1, maxLength: 512 }),
  newPassword: NewPassword,
  code: Type.Optional(TotpCode),
  backupCode: Type.Optional(BackupCode),
});
export const PasswordOnlyBody = strictObject({ password: Password });
export const CodeOnlyBody = strictObject({ code: TotpCode });
export const LoginSecondFactorBody = strictObject({
  challenge: Type.String({ minLength: 1, maxLength: 512, description: 'From the 200 `{twoFactorRequired: true, challenge}` of POST /api/auth/login.' }),
  code: Type.Optional(TotpCode),
  backupCode: Type.Optional(BackupCode),
});
export const TwoFactorChallengeBody = Type.Object({
  twoFactorRequired: Type.Literal(true),
  challenge: Type.String({ description: 'Send it to POST /api/auth/login/2fa with the code; single use, valid 5 minutes, dies after 5 wrong codes.' }),
});
export const TwoFactorSetupBody = Type.Object({
  otpauthUri: Type.String({ description: 'otpauth://totp/… for a QR code (SHA-1, 6 digits, 30 s).' }),
  secret: Type.String({ description: 'The same secret in base32, to type into the app.' }),
});
export const BackupCodesBody = Type.Object({
  backupCodes: Type.Array(Type.String(), { description: 'Ten codes, shown this once (stored hashed); each signs in once instead of an app code.' }),
});
export const UpdateMeBody = strictObject({ name: Type.String({ maxLength: 1000 }) });
export const MessageBody = Type.Object({ message: Type.String() });
export const EmailBody = strictObject({ email: Type.String({ format: 'email', maxLength: 254 }) });
export const TokenOnlyBody = strictObject({ token: Type.String({ minLength: 1, maxLength: 2048 }) });
export const ChangeEmailBody = strictObject({
  // The account service checks the address (the same message on REST and GraphQL).
  newEmail: Type.String({ maxLength: 1000 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
});
export const EmailChangedBody = Type.Object({ email: Type.String(), emailVerified: Type.Literal(true) });
export const VerifiedBody = Type.Object({ emailVerified: Type.Literal(true) });
export const RefreshBody = strictObject({ refreshToken: Type.String({ minLength: 1, maxLength: 512 }) });

export const TokenBody = Type.Object({
  user: UserBody,
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
  refreshToken: Type.String(),
});

export const SessionBody = Type.Object({
  id: Type.String(),
  current: Type.Boolean({ description: 'The session of the access token making this request.' }),
  createdAt: DateTimeJson,
  lastUsedAt: DateTimeJson,
  ip: Type.Union([Type.String(), Type.Null()], { description: 'The network, never the address: "203.0.113.0/24", "2001:db8:1::/48".' }),
  device: Type.String({ description: 'From the user agent, e.g. "Chrome on Linux".' }),
});
export const SessionListBody = Type.Object({ sessions: Type.Array(SessionBody) });
export const SessionParams = strictObject({ id: Type.String({ minLength: 1 }) });
export const RevokeSessionsQuery = strictObject({ scope: Type.Literal('others') });
export const RevokedBody = Type.Object({ revoked: Type.Integer({ description: 'Sessions ended.' }) });

export const ActivityQuery = strictObject({
  first: Type.Optional(Type.Integer({ description: '1–100, default 20.' })),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "The previous page's pageInfo.endCursor." })),
});
export const ActivityBody = Type.Object({
  nodes: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      type: Type.Unsafe<SecurityEventType>({ type: 'string', enum: [...SECURITY_EVENT_TYPES] }),
      createdAt: DateTimeJson,
      ip: Type.Union([Type.String(), Type.Null()]),
      device: Type.Union([Type.String(), Type.Null()]),
      method: Type.Union([Type.Unsafe<SignInMethod>({ type: 'string', enum: [...SIGN_IN_METHODS] }), Type.Null()], {
        description: 'How a SIGN_IN was made (password, passkey, totp, backup_code); null for other events.',
      }),
    }),
  ),
  pageInfo: Type.Object({ endCursor: Type.Union([Type.String(), Type.Null()]), hasNextPage: Type.Boolean() }),
});

export type TaskJson = Static<typeof TaskBody>;

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { $ref: 'Error#' }])) as Record<number, { $ref: string }>;

// --- passkeys (WebAuthn): options and responses are WebAuthn's JSON, passed through -------------

const WebAuthnOptions = (description: string) =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, required: ['challenge'], description });
/** A PublicKeyCredential as JSON (@simplewebauthn/browser's startRegistration / startAuthentication). */
const WebAuthnResponse = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1400 }),
    rawId: Type.String({ minLength: 1, maxLength: 1400 }),
    type: Type.Literal('public-key'),
    response: Type.Object({ clientDataJSON: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: true }),
    clientExtensionResults: Type.Optional(Type.Object({}, { additionalProperties: true })),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);
export const PasskeyBody = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  createdAt: DateTimeJson,
  lastUsedAt: Type.Union([DateTimeJson, Type.Null()], { description: 'The last sign-in with it; null until used.' }),
  deviceType: Type.String({ description: '"singleDevice", or "multiDevice" when the platform syncs it.' }),
  backedUp: Type.Boolean(),
});
export const PasskeyListBody = Type.Object({ passkeys: Type.Array(PasskeyBody) });
export const OnePasskeyBody = Type.Object({ passkey: PasskeyBody });
export const PasskeyParams = strictObject({ id: Type.String({ minLength: 1 }) });
export const PasskeyPasswordBody = strictObject({ password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }) });
// 1–64 characters once trimmed: the passkey service checks.
export const PasskeyNameBody = strictObject({ name: Type.String({ maxLength: 1000 }) });
export const AddPasskeyBody = strictObject({ name: Type.String({ maxLength: 1000 }), response: WebAuthnResponse });
export const PasskeyAssertionBody = strictObject({ response: WebAuthnResponse });
export const CreationOptionsBody = WebAuthnOptions('PublicKeyCredentialCreationOptionsJSON: hand it to navigator.credentials.create (e.g. @simplewebauthn/browser startRegistration).');
export const RequestOptionsBody = WebAuthnOptions('PublicKeyCredentialRequestOptionsJSON: hand it to navigator.credentials.get (e.g. @simplewebauthn/browser startAuthentication).');
export const CookieSignInBody = Type.Object({ user: UserBody });
