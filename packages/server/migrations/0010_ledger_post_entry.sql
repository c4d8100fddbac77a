-- A fast path for the commonest call, one entry posted in its own statement: plain single-row
-- statements instead of ledger_post_entries' set-based CTEs (measured: about half the database
-- time of a two-line posting). It only takes the happy path: when the key was used before, the
-- date is not the open day, an account is unknown or closed, or the entry was reversed before, it
-- hands the call to ledger_post_entries, which reports precisely and writes nothing — one place
-- decides every refusal. Same arguments and result as ledger_post_entries.
CREATE FUNCTION ledger_post_entry(
  p_n int4[], p_key text[], p_fingerprint text[], p_event_type text[], p_source_ref text[], p_description text[],
  p_currency text[], p_business_date date[], p_reversal_of int8[],
  l_n int4[], l_no int4[], l_code text[], l_side text[], l_amount int8[],
  l_loan text[], l_customer text[], l_product text[], l_merchant text[], l_funder text[]
) RETURNS jsonb
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  v_open date;
  v_accounts int4[];
  v_usable boolean;
  v_id int8;
BEGIN
  IF cardinality(p_n) <> 1 THEN
    RAISE EXCEPTION 'ledger_post_entry posts exactly one entry, not %', cardinality(p_n);
  END IF;
  SELECT business_date INTO v_open FROM business_date;
  IF (p_business_date[1] IS NOT NULL AND p_business_date[1] <> v_open)
     OR EXISTS (SELECT 1 FROM ledger_entries WHERE idempotency_key = p_key[1])
     OR (p_reversal_of[1] IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_entries WHERE reversal_of = p_reversal_of[1])) THEN
    RETURN ledger_post_entries(p_n, p_key, p_fingerprint, p_event_type, p_source_ref, p_description, p_currency,
                               p_business_date, p_reversal_of, l_n, l_no, l_code, l_side, l_amount, l_loan,
                               l_customer, l_product, l_merchant, l_funder);
  END IF;

  SELECT array_agg(a.id ORDER BY t.ord), bool_and(a.id IS NOT NULL AND a.status = 'open')
  INTO v_accounts, v_usable
  FROM unnest(l_code) WITH ORDINALITY AS t (code, ord)
  LEFT JOIN ledger_accounts a ON a.code = t.code AND a.currency = p_currency[1];
  IF v_usable IS NOT TRUE THEN
    RETURN ledger_post_entries(p_n, p_key, p_fingerprint, p_event_type, p_source_ref, p_description, p_currency,
                               p_business_date, p_reversal_of, l_n, l_no, l_code, l_side, l_amount, l_loan,
                               l_customer, l_product, l_merchant, l_funder);
  END IF;

  INSERT INTO ledger_entries (business_date, event_type, source_ref, idempotency_key, fingerprint, description,
                              currency, reversal_of)
  VALUES (v_open, p_event_type[1], p_source_ref[1], p_key[1], p_fingerprint[1], p_description[1], p_currency[1],
          p_reversal_of[1])
  ON CONFLICT DO NOTHING
  RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    -- Another transaction committed this key (or a reversal of the same entry) meanwhile: nothing
    -- was written; the caller looks the key up.
    RETURN jsonb_build_object('problems', '[]'::jsonb, 'inserted', NULL, 'replayed', '[]'::jsonb);
  END IF;

  INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency,
                            loan_id, customer_id, product_id, merchant_id, funder_id)
  SELECT v_id, t.line_no, v_open, t.account_id, t.side, t.amount, p_currency[1],
         t.loan, t.customer, t.product, t.merchant, t.funder
  FROM unnest(l_no, v_accounts, l_side, l_amount, l_loan, l_customer, l_product, l_merchant, l_funder)
       AS t (line_no, account_id, side, amount, loan, customer, product, merchant, funder);

  RETURN jsonb_build_object(
    'problems', '[]'::jsonb,
    'inserted', jsonb_build_object('n', jsonb_build_array(0), 'id', jsonb_build_array(v_id::text),
                                   'business_date', v_open, 'posted_at', now()),
    'replayed', '[]'::jsonb);
END $$;
