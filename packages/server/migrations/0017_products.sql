-- Loan products (modules/products): a product code and its versions. A version holds the product
-- document (packages/core/src/product) and goes draft → pending (a publish was asked for) →
-- published (a checker approved it) → retired (superseded by a newer version, or retired by staff).
-- Loans pin the version id; a published or retired version never changes. See docs/products.md.

-- One row per product code, created with its first draft and locked FOR UPDATE by every change to
-- the code's versions (a new draft, a publish request, a publication, a retirement), so that two of
-- them never decide on the same stale picture of the code.
CREATE TABLE products (
  id          uuid PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  created_by  text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 100),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_versions (
  id                   uuid PRIMARY KEY,
  product_id           uuid NOT NULL REFERENCES products (id),
  version              integer NOT NULL CHECK (version >= 1),
  status               text NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'retired')),
  definition           jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  created_by           text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 100),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  -- The maker's publish request: the approval request that alone may publish this version.
  requested_by         text CHECK (length(requested_by) BETWEEN 1 AND 100),
  requested_at         timestamptz,
  approval_request_id  uuid,
  published_by         text CHECK (length(published_by) BETWEEN 1 AND 100),
  published_at         timestamptz,
  retired_by           text CHECK (length(retired_by) BETWEEN 1 AND 100),
  retired_at           timestamptz,
  -- The version whose publication retired this one (null when staff retired it).
  superseded_by        uuid REFERENCES product_versions (id),
  UNIQUE (product_id, version),
  -- Every version past draft was asked for (and a published one keeps the request that published it).
  CONSTRAINT product_versions_requested_unless_draft
    CHECK ((status = 'draft') = (approval_request_id IS NULL AND requested_at IS NULL AND requested_by IS NULL)),
  CONSTRAINT product_versions_published_once
    CHECK ((status IN ('published', 'retired')) = (published_at IS NOT NULL AND published_by IS NOT NULL)),
  CONSTRAINT product_versions_retired_when
    CHECK ((status = 'retired') = (retired_at IS NOT NULL AND retired_by IS NOT NULL)),
  CONSTRAINT product_versions_superseded_is_retired CHECK (superseded_by IS NULL OR status = 'retired')
);
-- New loans take the one published version of a code; at most one version waits for a checker.
CREATE UNIQUE INDEX product_versions_one_published ON product_versions (product_id) WHERE status = 'published';
CREATE UNIQUE INDEX product_versions_one_pending ON product_versions (product_id) WHERE status = 'pending';

-- A published or retired version is what loans were made under: its document never changes again.
CREATE FUNCTION product_versions_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('published', 'retired') AND NEW.definition IS DISTINCT FROM OLD.definition THEN
    RAISE EXCEPTION 'product version % is %: its definition cannot change', OLD.id, OLD.status
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.status = 'retired' AND NEW.status <> 'retired' THEN
    RAISE EXCEPTION 'product version % is retired for good', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER product_versions_frozen
  BEFORE UPDATE ON product_versions
  FOR EACH ROW EXECUTE FUNCTION product_versions_frozen();

CREATE FUNCTION product_versions_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'product versions are kept for the loans that pin them (% refused)', TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER product_versions_no_delete
  BEFORE DELETE OR TRUNCATE ON product_versions
  FOR EACH STATEMENT EXECUTE FUNCTION product_versions_no_delete();

DO $$
BEGIN
  ASSERT (SELECT indisunique FROM pg_index WHERE indexrelid = 'product_versions_one_published'::regclass),
    'one published version per product';
  ASSERT (SELECT indisunique FROM pg_index WHERE indexrelid = 'product_versions_one_pending'::regclass),
    'one pending version per product';
  ASSERT (SELECT count(*) FROM pg_constraint
          WHERE conrelid = 'product_versions'::regclass AND contype = 'c'
            AND conname IN ('product_versions_requested_unless_draft', 'product_versions_published_once',
                            'product_versions_retired_when', 'product_versions_superseded_is_retired')) = 4,
    'the version life is checked (requested unless draft, published once, retired when, superseded is retired)';
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'product_versions'::regclass AND NOT tgisinternal) = 2,
    'published versions are frozen and no version is deleted';
  ASSERT NOT EXISTS (SELECT 1 FROM products), 'no product exists before one is written';
END $$;
