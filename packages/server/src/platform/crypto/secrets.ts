import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The keys Fenqi needs, read from configuration (docs/security.md, "Key management"):
//   master keys      — wrap the per-record data keys (the local stand-in for a cloud KMS)
//   blind-index key  — HMAC for exact lookup of ID numbers, phones and card numbers
//   audit key        — HMAC chaining the audit log
//   session key      — HMAC for short secrets at rest (one-time codes) and CSRF tokens
// In production every key must come from the environment (a secrets manager); without
// NODE_ENV=production, missing keys are generated once into FENQI_DATA_DIR/keys.json (mode 0600)
// so that `npm start` works with no setup.

export const keyBytes = 32;

export type MasterKey = { id: string; key: Buffer };

export type Secrets = {
  /** The first key wraps new data keys; the others only unwrap until `fenqi keys rotate` has run. */
  masterKeys: MasterKey[];
  blindIndexKey: Buffer;
  auditKey: Buffer;
  sessionKey: Buffer;
  /** Where the keys came from; 'development-file' is logged as a warning at start-up. */
  source: 'environment' | 'development-file';
  developmentFile?: string;
};

export type SecretVariables = {
  FENQI_MASTER_KEYS?: string | undefined;
  FENQI_BLIND_INDEX_KEY?: string | undefined;
  FENQI_AUDIT_KEY?: string | undefined;
  FENQI_SESSION_KEY?: string | undefined;
};

type Problem = { variable: string; message: string };

const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A 32-byte key written as base64 (standard or URL-safe alphabet). */
export function parseKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!base64Pattern.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === keyBytes ? key : undefined;
}

/** `id:base64key[,id:base64key…]`; ids unique; the first is current. */
export function parseMasterKeys(text: string): MasterKey[] | string {
  const keys: MasterKey[] = [];
  for (const item of text.split(',').map((part) => part.trim())) {
    const separator = item.indexOf(':');
    const id = separator < 0 ? '' : item.slice(0, separator);
    if (!keyIdPattern.test(id))
      return 'must be a comma-separated list of id:base64key (id: 1–32 letters, digits, _ or -)';
    const key = parseKey(item.slice(separator + 1));
    if (!key)
      return `key ${id} must be ${keyBytes} random bytes in base64 (generate one with \`fenqi keys generate\`)`;
    if (keys.some((existing) => existing.id === id)) return `key id ${id} appears twice`;
    keys.push({ id, key });
  }
  return keys;
}

export function generateKey(): string {
  return randomBytes(keyBytes).toString('base64');
}

type DevelopmentKeys = { masterKeys: string; blindIndexKey: string; auditKey: string; sessionKey: string };

function developmentKeys(dataDir: string): { file: string; keys: DevelopmentKeys } {
  const file = join(dataDir, 'keys.json');
  if (existsSync(file)) {
    return { file, keys: JSON.parse(readFileSync(file, 'utf8')) as DevelopmentKeys };
  }
  const keys: DevelopmentKeys = {
    masterKeys: `dev1:${generateKey()}`,
    blindIndexKey: generateKey(),
    auditKey: generateKey(),
    sessionKey: generateKey(),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written under a temporary name and hard-linked into place: link fails if the file exists, so
  // when two processes start at once exactly one set of keys wins and both read that one.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return { file, keys: JSON.parse(readFileSync(file, 'utf8')) as DevelopmentKeys };
}

/**
 * Resolves the keys, or lists what is wrong with them. In production (`NODE_ENV=production`) a
 * missing key is an error; elsewhere missing keys come from (or are generated into) keys.json.
 */
export function resolveSecrets(
  variables: SecretVariables,
  options: { production: boolean; dataDir: string },
): { secrets: Secrets } | { problems: Problem[] } {
  const problems: Problem[] = [];
  const missing = (
    [
      ['FENQI_MASTER_KEYS', variables.FENQI_MASTER_KEYS],
      ['FENQI_BLIND_INDEX_KEY', variables.FENQI_BLIND_INDEX_KEY],
      ['FENQI_AUDIT_KEY', variables.FENQI_AUDIT_KEY],
      ['FENQI_SESSION_KEY', variables.FENQI_SESSION_KEY],
    ] as const
  ).filter(([, value]) => value === undefined);
  if (options.production) {
    for (const [variable] of missing) {
      problems.push({
        variable,
        message:
          'is required when NODE_ENV=production (generate keys with `fenqi keys generate`; see docs/security.md)',
      });
    }
  }
  const development =
    !options.production && missing.length > 0 ? developmentKeys(options.dataDir) : undefined;
  const pick = (variable: keyof SecretVariables, fallback: string | undefined) =>
    variables[variable] ?? fallback ?? '';

  const masterKeys = parseMasterKeys(pick('FENQI_MASTER_KEYS', development?.keys.masterKeys));
  if (typeof masterKeys === 'string' && variables.FENQI_MASTER_KEYS !== undefined) {
    problems.push({ variable: 'FENQI_MASTER_KEYS', message: masterKeys });
  }
  const single = (
    variable: 'FENQI_BLIND_INDEX_KEY' | 'FENQI_AUDIT_KEY' | 'FENQI_SESSION_KEY',
    fallback?: string,
  ) => {
    const key = parseKey(pick(variable, fallback));
    if (!key && variables[variable] !== undefined) {
      problems.push({
        variable,
        message: `must be ${keyBytes} random bytes in base64 (generate one with \`fenqi keys generate\`)`,
      });
    }
    return key;
  };
  const blindIndexKey = single('FENQI_BLIND_INDEX_KEY', development?.keys.blindIndexKey);
  const auditKey = single('FENQI_AUDIT_KEY', development?.keys.auditKey);
  const sessionKey = single('FENQI_SESSION_KEY', development?.keys.sessionKey);
  if (problems.length > 0) return { problems };
  if (typeof masterKeys === 'string' || !blindIndexKey || !auditKey || !sessionKey) {
    // Only a corrupted keys.json gets here: every configured value was checked above.
    return {
      problems: [
        {
          variable: 'FENQI_DATA_DIR',
          message: `${development?.file ?? 'keys.json'} holds invalid keys; remove it to regenerate`,
        },
      ],
    };
  }
  const distinct = new Set(
    [blindIndexKey, auditKey, sessionKey, ...masterKeys.map((m) => m.key)].map((k) => k.toString('hex')),
  );
  if (distinct.size !== 3 + masterKeys.length) {
    // One key for two purposes would let one HMAC stand in for another (ASVS 11.2: key separation).
    return {
      problems: [
        { variable: 'FENQI_BLIND_INDEX_KEY', message: 'every key must be different from every other key' },
      ],
    };
  }
  return {
    secrets: {
      masterKeys,
      blindIndexKey,
      auditKey,
      sessionKey,
      source: development ? 'development-file' : 'environment',
      ...(development ? { developmentFile: development.file } : {}),
    },
  };
}
