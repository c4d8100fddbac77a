-- Notifications (modules/notifications, docs/notifications.md): every SMS and app push Fenqi sends
-- a borrower, one row each, with the text as sent, the number it went to (encrypted, masked and
-- blind-indexed like customers.phone) and its delivery status; the status changes are kept in
-- notification_status_history. A dispatcher claims due rows with FOR UPDATE SKIP LOCKED.

CREATE TABLE notifications (
  id                  uuid PRIMARY KEY,
  -- `<template>:<event id>` or a natural key: a repeat enqueue returns the first row.
  dedupe_key          text NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 200),
  template            text NOT NULL CHECK (template IN ('otp', 'due_soon', 'due_today', 'overdue',
                        'repayment_received', 'paid_off', 'negative_report_notice', 'contract_signed')),
  channel             text NOT NULL CHECK (channel IN ('sms', 'push')),
  customer_id         uuid,
  -- Known at enqueue for an explicit number, at dispatch for a customer's own phone.
  phone_enc           text CHECK (phone_enc LIKE 'fq1.%' AND length(phone_enc) <= 400),
  phone_masked        text CHECK (length(phone_masked) BETWEEN 1 AND 32),
  phone_bidx          text CHECK (length(phone_bidx) BETWEEN 1 AND 64),
  locale              text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
  time_zone           text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  -- The text as sent; a one-time code is ****** here and the sent text is only in body_enc.
  body                text NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
  body_enc            text CHECK (body_enc LIKE 'fq1.%' AND length(body_enc) <= 4000),
  status              text NOT NULL CHECK (status IN ('queued', 'deferred', 'sent', 'delivered', 'failed')),
  -- Quiet hours: nothing but an OTP goes out before this instant (the next 08:00 local).
  not_before          timestamptz NOT NULL,
  attempts            integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 100),
  provider            text CHECK (length(provider) BETWEEN 1 AND 32),
  provider_message_id text CHECK (length(provider_message_id) BETWEEN 1 AND 128),
  error               text CHECK (length(error) BETWEEN 1 AND 500),
  created_at          timestamptz NOT NULL,
  sent_at             timestamptz,
  delivered_at        timestamptz,
  CHECK (customer_id IS NOT NULL OR phone_enc IS NOT NULL),
  CHECK ((phone_enc IS NULL) = (phone_masked IS NULL) AND (phone_enc IS NULL) = (phone_bidx IS NULL)),
  CHECK (template <> 'otp' OR body_enc IS NOT NULL),
  CHECK (status NOT IN ('sent', 'delivered') OR (sent_at IS NOT NULL AND provider IS NOT NULL
                                                 AND provider_message_id IS NOT NULL)),
  CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
  CHECK (status <> 'failed' OR error IS NOT NULL),
  CHECK (channel <> 'sms' OR status IN ('queued', 'deferred', 'failed') OR phone_enc IS NOT NULL)
);
CREATE INDEX notifications_due ON notifications (not_before) WHERE status IN ('queued', 'deferred');
CREATE INDEX notifications_customer ON notifications (customer_id, created_at DESC);
CREATE INDEX notifications_created ON notifications (created_at DESC, id DESC);
CREATE UNIQUE INDEX notifications_provider_message ON notifications (provider, provider_message_id)
  WHERE provider_message_id IS NOT NULL;

CREATE TABLE notification_status_history (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  notification_id uuid NOT NULL REFERENCES notifications (id),
  status_from     text CHECK (status_from IN ('queued', 'deferred', 'sent', 'delivered', 'failed')),
  status_to       text NOT NULL CHECK (status_to IN ('queued', 'deferred', 'sent', 'delivered', 'failed')),
  at              timestamptz NOT NULL,
  detail          text CHECK (length(detail) BETWEEN 1 AND 500)
);
CREATE INDEX notification_status_history_of ON notification_status_history (notification_id, id);

-- The simulated provider's own record of what it was given (development and tests only; refused
-- in production by the configuration). Keyed by Fenqi's message id: a resend is the same delivery.
CREATE TABLE notification_simulated_deliveries (
  provider_message_id text PRIMARY KEY CHECK (length(provider_message_id) BETWEEN 1 AND 128),
  notification_id     uuid NOT NULL UNIQUE,
  channel             text NOT NULL CHECK (channel IN ('sms', 'push')),
  phone_masked        text CHECK (length(phone_masked) BETWEEN 1 AND 32),
  body                text NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
  status              text NOT NULL CHECK (status IN ('delivered', 'failed')),
  error               text CHECK (length(error) BETWEEN 1 AND 500),
  recorded_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'failed') = (error IS NOT NULL))
);

-- Numbers the simulated provider reports as failed, by blind index (no plaintext number stored).
CREATE TABLE notification_simulated_failures (
  phone_bidx text PRIMARY KEY CHECK (length(phone_bidx) BETWEEN 1 AND 64),
  error      text NOT NULL CHECK (length(error) BETWEEN 1 AND 500)
);
