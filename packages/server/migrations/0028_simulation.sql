-- The living demo (docs/simulation.md): `fenqi simulate` and `fenqi demo` run a lending business
-- day by day through the real services. A database holds at most one simulation: its row says
-- what was asked (seed, months, borrowers, start date), how far it got, and, once completed, the
-- summary it printed, so that a second `fenqi demo` finds the data there and reuses it. A run that
-- is still `running` with nobody working on it was interrupted: the data is half a year, and the
-- simulation refuses to go on (reset the database; docs/simulation.md).

CREATE TABLE simulation_runs (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  seed        bigint NOT NULL CHECK (seed >= 0 AND seed <= 4294967295),
  months      integer NOT NULL CHECK (months BETWEEN 1 AND 60),
  borrowers   integer NOT NULL CHECK (borrowers BETWEEN 1 AND 100000),
  start_date  date NOT NULL,
  status      text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  -- Where a running simulation is: the business date it works on, the days done of the total.
  progress    jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The summary `fenqi simulate --json` prints, once completed.
  summary     jsonb,
  error       text,
  started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK ((status = 'running') = (finished_at IS NULL)),
  CHECK ((status = 'completed') = (summary IS NOT NULL))
);

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM simulation_runs) = 0, 'simulation_runs starts empty';
  ASSERT to_regclass('simulation_runs') IS NOT NULL, 'simulation_runs exists';
END $$;
