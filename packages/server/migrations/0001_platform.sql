-- Platform tables: the business date, its history, and idempotency keys.

-- The business date is the only source of "today" for lending logic. Exactly one row; only close
-- of business moves it, one day at a time (enforced below).
CREATE TABLE business_date (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  business_date date NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Installation day in the business time zone; operators may set another start date before the
-- first close of business (see docs/runbooks/business-date.md).
INSERT INTO business_date (business_date) VALUES ((now() AT TIME ZONE 'Asia/Shanghai')::date);

CREATE TABLE business_date_history (
  business_date date PRIMARY KEY,
  closed_at     timestamptz NOT NULL DEFAULT now()
);

-- The date moves forward by exactly one day per close of business, and each closed day is
-- recorded. Setting `fenqi.business_date_override = 'on'` in a transaction permits any move; only
-- the operator command `fenqi business-date set` does that, before any business is booked.
CREATE FUNCTION business_date_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'INSERT' THEN
    RAISE EXCEPTION 'business_date has exactly one row; it cannot be inserted or deleted'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.business_date = OLD.business_date THEN
    RETURN NEW;
  END IF;
  IF coalesce(current_setting('fenqi.business_date_override', true), '') = 'on' THEN
    NEW.updated_at := now();
    RETURN NEW;
  END IF;
  IF NEW.business_date <> OLD.business_date + 1 THEN
    RAISE EXCEPTION 'the business date only advances one day at a time (from % to %)',
      OLD.business_date, NEW.business_date
      USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO business_date_history (business_date) VALUES (OLD.business_date);
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER business_date_guard
  BEFORE INSERT OR UPDATE OR DELETE ON business_date
  FOR EACH ROW EXECUTE FUNCTION business_date_guard();

-- Idempotency keys: one row per (caller, key). A request claims the key (in_progress) in its own
-- short transaction; the handler's transaction then records the response (completed), so the
-- effect and the stored response commit together or not at all.
CREATE TABLE idempotency_keys (
  caller                text NOT NULL,
  key                   text NOT NULL,
  method                text NOT NULL,
  path                  text NOT NULL,
  fingerprint           text NOT NULL,
  claim_token           uuid NOT NULL,
  state                 text NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status       integer,
  response_body         text,
  response_content_type text,
  locked_until          timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  completed_at          timestamptz,
  expires_at            timestamptz NOT NULL,
  PRIMARY KEY (caller, key),
  CHECK (length(key) BETWEEN 1 AND 255),
  CHECK ((state = 'completed') = (response_status IS NOT NULL AND completed_at IS NOT NULL)),
  CHECK (state = 'completed' OR locked_until IS NOT NULL)
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- Postconditions: the migration proves what it promised.
DO $$
BEGIN
  ASSERT (SELECT count(*) FROM business_date) = 1, 'business_date must have exactly one row';
END $$;
