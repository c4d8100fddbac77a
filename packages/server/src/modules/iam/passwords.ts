import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../../platform/errors.ts';

// Staff passwords (ASVS 5.0 V6.2, NIST SP 800-63B): at least 12 characters, at most 128, any
// characters (no composition rules), not a commonly used password, not containing the username.
// Hashed with argon2id at the OWASP-recommended cost (19 MiB, 2 passes, 1 lane).

export const passwordLengthMin = 12;
export const passwordLengthMax = 128;

const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// The most common passwords of at least 12 characters from public breach corpora; a deployment
// that wants a full breached-password check puts a k-anonymity lookup behind checkPasswordPolicy.
const commonPasswords = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789123',
  '1q2w3e4r5t6y',
  'qwertyuiop12',
  'qwertyuiop123',
  'qwerty123456',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'iloveyou1234',
  'abc123456789',
  'aaaaaaaaaaaa',
  '111111111111',
  '000000000000',
  'a1b2c3d4e5f6',
  'administrator',
  'administrator1',
  'changeme1234',
  'letmein12345',
  'welcome12345',
  'woaini1314520',
  'woaini520520',
  '5201314520131',
  'qazwsxedcrfv',
  '1qaz2wsx3edc',
  'zaq12wsxcde3',
  'p@ssw0rd1234',
  'fenqifenqi123',
]);

export function checkPasswordPolicy(password: string, username: string): void {
  const length = [...password].length;
  const problems: string[] = [];
  if (length < passwordLengthMin) problems.push(`must be at least ${passwordLengthMin} characters`);
  if (length > passwordLengthMax) problems.push(`must be at most ${passwordLengthMax} characters`);
  if (commonPasswords.has(password.toLowerCase())) problems.push('is a commonly used password');
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase()))
    problems.push('must not contain the username');
  if (problems.length > 0) {
    throw new AppError('password_policy_violated', `The new password ${problems.join(', ')}.`, {
      errors: problems.map((message) => ({ in: 'body', path: 'newPassword', message })),
    });
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

// A real hash of a random string, verified against when the username is unknown, so that an
// unknown user costs the same time as a wrong password (no user enumeration by timing).
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hashPassword(crypto.randomUUID());
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
