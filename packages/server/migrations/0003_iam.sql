-- Access control and data protection (issue 5): data keys for field encryption, the audit log,
-- staff users, roles, sessions, maker-checker approvals, borrower accounts and tokens, and API
-- clients of merchants and funders. docs/security.md explains each control.

-- platform/crypto: per-record data keys, wrapped by a master key (envelope encryption).
CREATE TABLE data_keys (
  id            uuid PRIMARY KEY,
  purpose       text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9-]{1,40}$'),
  master_key_id text NOT NULL,
  wrapped_key   bytea NOT NULL CHECK (length(wrapped_key) = 60),
  created_at    timestamptz NOT NULL DEFAULT now(),
  rewrapped_at  timestamptz
);
CREATE INDEX data_keys_master_key_id ON data_keys (master_key_id);

-- The audit log: append-only, each row chained to the one before by an HMAC-SHA256 over its
-- content (the key is not in the database). Appends are serialized by an advisory lock, so seq
-- order is chain order. UPDATE, DELETE and TRUNCATE are refused; `fenqi audit verify` detects a
-- change made around these guards (a superuser can disable triggers).
CREATE SEQUENCE audit_log_seq AS bigint;
CREATE TABLE audit_log (
  seq          bigint PRIMARY KEY,
  occurred_at  timestamptz NOT NULL,
  actor_kind   text NOT NULL,
  actor_id     text NOT NULL,
  action       text NOT NULL CHECK (action ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  subject_type text,
  subject_id   text,
  ip           text,
  request_id   text,
  before       jsonb,
  after        jsonb,
  details      jsonb,
  prev_hash    text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash         text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Staff users. Passwords are argon2id hashes; the TOTP secret is a field ciphertext.
CREATE TABLE staff_users (
  id                   uuid PRIMARY KEY,
  username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  password_hash        text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  password_must_change boolean NOT NULL DEFAULT true,
  password_changed_at  timestamptz NOT NULL DEFAULT now(),
  totp_secret_enc      text NOT NULL,
  totp_last_step       bigint NOT NULL DEFAULT 0,
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes (80 random bits each, stored as SHA-256).
CREATE TABLE staff_recovery_codes (
  user_id   uuid NOT NULL REFERENCES staff_users (id),
  code_hash text NOT NULL,
  used_at   timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Failed-login counters, keyed by a hash of the submitted username whether or not such a user
-- exists, so that lockout behaves the same for unknown names (no account enumeration).
CREATE TABLE staff_login_throttle (
  username_key    text PRIMARY KEY,
  failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  lockouts        integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
  locked_until    timestamptz,
  last_failure_at timestamptz
);

-- Server-side staff sessions; the cookie carries a random token, the table its SHA-256.
CREATE TABLE staff_sessions (
  id                  uuid PRIMARY KEY,
  token_hash          text NOT NULL UNIQUE,
  user_id             uuid NOT NULL REFERENCES staff_users (id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  idle_expires_at     timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at          timestamptz,
  revoked_reason      text,
  ip                  text,
  user_agent          text,
  CHECK (idle_expires_at <= absolute_expires_at)
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id) WHERE revoked_at IS NULL;

-- Roles. Built-in roles are listed here by name; their permissions are defined in code
-- (modules/iam/permissions.ts) so new permissions reach them without a migration. Custom roles
-- keep their permissions in role_permissions.
CREATE TABLE roles (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,39}$'),
  description text NOT NULL,
  built_in    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO roles (name, description, built_in) VALUES
  ('admin', 'Administrator: every staff permission', true),
  ('risk_analyst', 'Risk analyst: credit policies, scorecards, limits and pricing', true),
  ('approver', 'Approver: works the manual review queue', true),
  ('operator', 'Operations: products, merchants, customers, loans, payments', true),
  ('collector', 'Collector: overdue cases within the conduct rules', true),
  ('finance', 'Finance: ledger, manual journal entries, funder settlement, reports', true),
  ('auditor', 'Auditor: read-only access to everything, the audit trail and the PII access log', true);

CREATE TABLE role_permissions (
  role       text NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
  permission text NOT NULL CHECK (permission ~ '^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$'),
  PRIMARY KEY (role, permission)
);

CREATE TABLE staff_user_roles (
  user_id    uuid NOT NULL REFERENCES staff_users (id),
  role       text NOT NULL REFERENCES roles (name),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role)
);

-- Maker-checker: a request to run a registered action, decided by a different user.
CREATE TABLE approval_requests (
  id            uuid PRIMARY KEY,
  action        text NOT NULL,
  payload       jsonb NOT NULL,
  reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  maker_id      uuid NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  checker_id    uuid,
  decision_note text,
  decided_at    timestamptz,
  result        jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (checker_id IS NULL OR checker_id <> maker_id),
  CHECK ((status = 'pending') = (checker_id IS NULL AND decided_at IS NULL))
);
CREATE INDEX approval_requests_pending ON approval_requests (created_at) WHERE status = 'pending';

-- Borrower accounts: identified by phone (blind index for lookup, ciphertext for sending SMS).
CREATE TABLE borrowers (
  id            uuid PRIMARY KEY,
  phone_bidx    text NOT NULL UNIQUE,
  phone_enc     text NOT NULL,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);

CREATE TABLE borrower_otp_challenges (
  id          uuid PRIMARY KEY,
  phone_bidx  text NOT NULL,
  code_hash   text NOT NULL,
  ip          text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  consumed_at timestamptz
);
CREATE INDEX borrower_otp_challenges_phone ON borrower_otp_challenges (phone_bidx, created_at);
CREATE INDEX borrower_otp_challenges_ip ON borrower_otp_challenges (ip, created_at);

-- One row per login (a token family): the current access and refresh token hashes. Refresh
-- tokens rotate on use; spent ones are remembered so that reuse revokes the whole family.
CREATE TABLE borrower_sessions (
  id                 uuid PRIMARY KEY,
  borrower_id        uuid NOT NULL REFERENCES borrowers (id),
  access_token_hash  text NOT NULL UNIQUE,
  access_expires_at  timestamptz NOT NULL,
  refresh_token_hash text NOT NULL UNIQUE,
  refresh_expires_at timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  rotated_at         timestamptz,
  revoked_at         timestamptz,
  revoked_reason     text
);
CREATE INDEX borrower_sessions_borrower ON borrower_sessions (borrower_id) WHERE revoked_at IS NULL;

CREATE TABLE borrower_spent_refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES borrower_sessions (id),
  spent_at   timestamptz NOT NULL DEFAULT now()
);

-- API clients of merchants and funders. The signing secret is shown once and kept only as a field
-- ciphertext (HMAC verification needs the secret itself; see docs/security.md).
CREATE TABLE api_clients (
  id           uuid PRIMARY KEY,
  key_id       text NOT NULL UNIQUE CHECK (key_id ~ '^fqk_[A-Za-z0-9_-]{20,}$'),
  owner_kind   text NOT NULL CHECK (owner_kind IN ('merchant', 'funder')),
  owner_id     text NOT NULL CHECK (owner_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  secret_enc   text NOT NULL,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_clients_owner ON api_clients (owner_kind, owner_id);

-- Nonces of signed requests seen within the signature window: a replay finds its nonce here.
CREATE TABLE request_nonces (
  key_id     text NOT NULL,
  nonce      text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (key_id, nonce)
);
CREATE INDEX request_nonces_expires_at ON request_nonces (expires_at);

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM roles WHERE built_in) = 7, 'seven built-in roles';
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal) = 2,
    'audit_log is guarded against UPDATE, DELETE and TRUNCATE';
END $$;
