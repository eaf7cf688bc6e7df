-- Protocol numbers from one sequence per year instead of a counter row: a row
-- bumped by every creation serialised them all on its lock (one WAL flush each).
-- ticket_protocol(year) draws the next number of that year's sequence, making
-- the sequence on first use (after the highest number already in `tickets`).
-- Numbers stay unique and increase in the order they are drawn; a creation that
-- rolls back, or a crash, leaves a gap.
CREATE FUNCTION ticket_protocol(year integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  seq text := 'ticket_protocol_' || year;
  n bigint;
BEGIN
  IF year < 1000 OR year > 9999 THEN
    RAISE EXCEPTION 'protocol year out of range: %', year;
  END IF;
  IF to_regclass(seq) IS NULL THEN
    SELECT coalesce(max(substr(protocol, 12)::bigint), 0) + 1 INTO n
      FROM tickets WHERE protocol LIKE 'LINPS-' || year || '-%';
    BEGIN
      EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS bigint START WITH %s', seq, n);
    EXCEPTION WHEN unique_violation OR duplicate_table THEN
      NULL; -- another creation made it first
    END;
  END IF;
  n := nextval(seq::regclass);
  RETURN 'LINPS-' || year || '-' || lpad(n::text, greatest(6, length(n::text)), '0');
END
$$;
--> statement-breakpoint
-- The counters' years go on after their last number (it may be past the last ticket: a failed creation's gap).
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT year, last FROM ticket_protocol_counters LOOP
    EXECUTE format('CREATE SEQUENCE %I AS bigint START WITH %s', 'ticket_protocol_' || c.year, c.last + 1);
  END LOOP;
END
$$;
--> statement-breakpoint
DROP TABLE "ticket_protocol_counters" CASCADE;
