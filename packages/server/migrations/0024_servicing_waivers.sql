-- Waivers (减免): collections forgives penalty, fee or interest an overdue loan owes, after a
-- maker-checker approval (modules/collections). Servicing records each as a transaction of its own
-- kind — the amounts waived by component and installment, its journal entry — so the bureau can
-- report it (special transaction 11) and the loan's history shows it next to its payments; and a
-- bucket change it causes is recorded with its cause.

ALTER TABLE servicing_transactions DROP CONSTRAINT servicing_transactions_kind_check;
ALTER TABLE servicing_transactions ADD CONSTRAINT servicing_transactions_kind_check
  CHECK (kind IN ('repayment', 'auto_debit', 'offline', 'payoff', 'prepayment', 'overpayment_refund', 'reversal',
                  'credit_applied', 'waiver'));

ALTER TABLE servicing_delinquency_history DROP CONSTRAINT servicing_delinquency_history_cause_check;
ALTER TABLE servicing_delinquency_history ADD CONSTRAINT servicing_delinquency_history_cause_check
  CHECK (cause IN ('close_of_business', 'repayment', 'reversal', 'waiver'));

DO $$
BEGIN
  ASSERT (SELECT pg_get_constraintdef(oid) LIKE '%waiver%' FROM pg_constraint
          WHERE conname = 'servicing_transactions_kind_check'), 'a waiver is a kind of servicing transaction';
  ASSERT (SELECT pg_get_constraintdef(oid) LIKE '%waiver%' FROM pg_constraint
          WHERE conname = 'servicing_delinquency_history_cause_check'), 'a waiver is a cause of a bucket change';
END $$;
