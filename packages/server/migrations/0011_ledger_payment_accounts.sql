-- Two accounts the payments module posts to, besides the channel clearing accounts (1012.xx):
--   2242  money collected from borrowers, held until servicing allocates it to their loans;
--   6602  the fees channels charge, posted by reconciliation from the statement file.
INSERT INTO ledger_accounts (code, currency, name_zh, name_en, type, normal_side) VALUES
  ('2242', 'CNY', '待分配收款', 'Collections pending allocation', 'liability', 'credit'),
  ('6602', 'CNY', '支付通道手续费', 'Payment channel fees', 'expense', 'debit');
