-- The access log's own retention (ACCESS_LOG_RETENTION_DAYS, docs/access-log.md).
-- Still append-only: UPDATE and TRUNCATE are always refused. A DELETE passes only
-- inside a transaction that has named its cut-off with
--   SET LOCAL infocig.access_log_erase_before = '<timestamptz>'
-- and only for rows older than that cut-off, and the cut-off itself must be at
-- least 180 days ago by the database's own clock: the record of who saw what is
-- kept for six months at the very least, whatever the application asks.
CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  erase_before timestamptz;
BEGIN
  IF TG_OP = 'DELETE' THEN
    erase_before := nullif(current_setting('infocig.access_log_erase_before', true), '')::timestamptz;
    IF erase_before IS NOT NULL AND erase_before <= now() - interval '180 days' AND OLD.at < erase_before THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'access_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
