import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintId, instant } from '../../platform/http/wire.ts';
import { roleName } from './actions.ts';
import { phonePattern } from './borrowers.ts';

// Request and response schemas of the IAM routes. Response schemas are the disclosure boundary:
// password hashes, TOTP secrets, token hashes and key material have no field here, so they cannot
// leave the server even by mistake. Secrets shown once (one-time password, TOTP secret, recovery
// codes, API secret) appear only in the response of the route that creates them.

export { instant };
export const uuidParam = z.uuid();

const staffUser = z.object({ id: z.uuid(), username: z.string(), displayName: z.string() });

export const staffLoginBody = z.strictObject({
  username: text().trim().min(1).max(64),
  password: text().min(1).max(1024),
  secondFactor: text()
    .trim()
    .min(6)
    .max(32)
    .describe('The 6-digit code of the authenticator app, or one unused recovery code (xxxx-xxxx-xxxx-xxxx)'),
});

export const staffSession = z
  .object({
    user: staffUser,
    csrfToken: z.string().describe('Send in X-CSRF-Token on every request that is not a GET'),
    expiresAt: instant.describe('Absolute end of the session'),
    passwordMustChange: z
      .boolean()
      .describe('If true, only POST /api/v1/staff/password and the session routes are allowed'),
  })
  .meta({ id: 'StaffLogin' });

export const staffSessionDetail = z
  .object({
    user: staffUser,
    sessionId: z.uuid(),
    csrfToken: z.string(),
    idleExpiresAt: instant,
    expiresAt: instant,
    passwordMustChange: z.boolean(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
  })
  .meta({ id: 'StaffSession' });

export const passwordChangeBody = z.strictObject({
  currentPassword: text().min(1).max(1024),
  newPassword: text().min(1).max(1024),
});

export const passwordChanged = z
  .object({ otherSessionsRevoked: z.number().int() })
  .meta({ id: 'PasswordChanged' });
export const loggedOut = z.object({ sessionsRevoked: z.number().int() }).meta({ id: 'LoggedOut' });

export const permissionView = z
  .object({
    name: z.string(),
    description: z.string(),
    readOnly: z.boolean(),
    sensitive: z.boolean().describe('Moves money, unmasks personal data or changes who may'),
    grantedTo: z.enum(['roles', 'caller-kind']),
  })
  .meta({ id: 'Permission' });

export const roleView = z
  .object({
    name: z.string(),
    description: z.string(),
    builtIn: z.boolean(),
    permissions: z.array(z.string()),
  })
  .meta({ id: 'Role' });

const reason = text().trim().min(1).max(500).describe('Why the change is needed (kept in the audit log)');

export const roleDefinitionBody = z.strictObject({
  name: roleName,
  description: text().trim().min(1).max(200),
  permissions: z.array(text().max(80)).max(200),
  reason,
});

export const staffUserView = z
  .object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    status: z.enum(['active', 'disabled']),
    roles: z.array(z.string()),
    passwordMustChange: z.boolean(),
    createdAt: instant,
  })
  .meta({ id: 'StaffUser' });

export const staffUserListQuery = z.strictObject({
  q: text().trim().min(1).max(64).optional().describe('Part of the username or display name'),
  status: z.enum(['active', 'disabled']).optional(),
  role: text().max(64).optional().describe('Users holding this role'),
  after: text().max(64).optional().describe('The username of the last user of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const apiClientListQuery = z.strictObject({
  ownerKind: z.enum(['merchant', 'funder']).optional(),
  ownerId: text().max(64).optional(),
  status: z.enum(['active', 'revoked']).optional(),
  after: z.uuid().optional().describe('The id of the last client of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const createStaffUserBody = z.strictObject({
  username: text()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3–64 of a-z, 0-9, ., _ and -'),
  displayName: text().trim().min(1).max(100),
});

export const newStaffUser = z
  .object({
    user: staffUser,
    oneTimePassword: z.string().describe('Shown once; must be changed at first login'),
    totpSecret: z.string().describe('Base32 TOTP secret, shown once'),
    totpUri: z.string().describe('otpauth:// URI for an authenticator app (QR code), shown once'),
    recoveryCodes: z.array(z.string()).describe('Single-use recovery codes, shown once'),
  })
  .meta({ id: 'NewStaffUser' });

export const roleChangeBody = z.strictObject({
  roles: z.array(roleName).max(20),
  reason,
});

export const approvalView = z
  .object({
    id: z.uuid(),
    action: z.string(),
    payload: z.unknown(),
    reason: z.string(),
    makerId: z.uuid(),
    makerName: z.string().nullable().describe('The maker’s display name'),
    status: z.enum(['pending', 'approved', 'rejected']),
    checkerId: z.uuid().nullable(),
    checkerName: z.string().nullable().describe('The checker’s display name, once decided'),
    decisionNote: z.string().nullable(),
    decidedAt: instant.nullable(),
    result: z.unknown(),
    createdAt: instant,
  })
  .meta({ id: 'ApprovalRequest' });

export const approvalActionView = z
  .object({
    name: z.string(),
    summary: z.string(),
    makerPermission: z.string(),
    checkerPermission: z.string(),
  })
  .meta({ id: 'ApprovalAction' });

export const approvalListQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
  action: text().max(100).optional().describe('One action, e.g. products.publish-version'),
  makerId: z.uuid().optional().describe('Requests made by this staff user'),
  before: z.uuid().optional().describe('The id of the last request of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const decisionBody = z.strictObject({ note: text().trim().min(1).max(500).optional() });
export const rejectionBody = z.strictObject({ note: text().trim().min(1).max(500) });

export const auditEventView = z
  .object({
    seq: bigintId,
    occurredAt: z.iso.datetime().describe('When it was appended, ISO 8601 UTC, to the microsecond'),
    actor: z.object({ kind: z.string(), id: z.string() }),
    action: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }).nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    details: z.unknown(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export const auditListQuery = z.strictObject({
  order: z
    .enum(['asc', 'desc'])
    .default('asc')
    .describe('asc: chain order, page with afterSeq; desc: newest first, page with beforeSeq'),
  afterSeq: bigintId.optional().describe('seq of the last event of the previous page (order asc)'),
  beforeSeq: bigintId.optional().describe('seq of the last event of the previous page (order desc)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  subjectType: text().max(60).optional(),
  subjectId: text().max(100).optional(),
  action: text().max(100).optional(),
  actorKind: text().max(20).optional().describe('staff, borrower, merchant, funder, system'),
  actorId: text().max(100).optional(),
});

export const auditVerification = z
  .object({
    ok: z.boolean(),
    rows: z.number().int(),
    head: z.object({ seq: z.string(), hash: z.string() }).nullable(),
    brokenSeq: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'AuditVerification' });

export const apiClientView = z
  .object({
    id: z.uuid(),
    keyId: z.string(),
    ownerKind: z.enum(['merchant', 'funder']),
    ownerId: z.string(),
    name: z.string(),
    createdAt: instant,
    revokedAt: instant.nullable(),
    lastUsedAt: instant.nullable(),
  })
  .meta({ id: 'ApiClient' });

export const createApiClientBody = z.strictObject({
  ownerKind: z.enum(['merchant', 'funder']),
  ownerId: text().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 of A-Z, a-z, 0-9, _ and -'),
  name: text().trim().min(1).max(100),
});

export const newApiClient = z
  .object({
    id: z.uuid(),
    keyId: z.string(),
    secret: z.string().describe('The signing secret, shown once; Fenqi cannot show it again'),
    ownerKind: z.enum(['merchant', 'funder']),
    ownerId: z.string(),
    name: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'NewApiClient' });

export const phone = text().trim().regex(phonePattern, 'must be a mainland China mobile number of 11 digits');

export const otpRequestBody = z.strictObject({ phone });
export const otpRequested = z
  .object({
    expiresInSeconds: z.number().int(),
    demoCode: z
      .string()
      .optional()
      .describe(
        'Demo only (DEMO_SHOW_CODES=true with SMS_ADAPTER=log, never in production): the code just sent, for the demo H5 to show. Absent otherwise.',
      ),
  })
  .meta({ id: 'OtpRequested' });

export const borrowerLoginBody = z.strictObject({
  phone,
  code: text()
    .trim()
    .regex(/^\d{6}$/, 'must be 6 digits'),
});
export const refreshBody = z.strictObject({ refreshToken: text().min(8).max(200) });

export const borrowerTokens = z
  .object({
    borrowerId: z.uuid(),
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    accessExpiresInSeconds: z.number().int(),
    refreshToken: z
      .string()
      .describe('Single use: each refresh returns a new one; presenting a used one ends the login'),
    refreshExpiresInSeconds: z.number().int(),
  })
  .meta({ id: 'BorrowerTokens' });

export const borrowerMe = z
  .object({ borrowerId: z.uuid(), phoneMasked: z.string() })
  .meta({ id: 'BorrowerAccount' });
