-- +goose Up
-- The change feed's retention (serve --feed-retention): changes older than the
-- retention are pruned in batches, each batch one short statement, so writers
-- (who append at the other end of the table) are never held up. The newest
-- sequence pruned is kept in changes_horizon: a websocket client asking for a
-- replay from before it is told to resync rather than replayed with a hole.
CREATE TABLE changes_horizon (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    pruned_through bigint NOT NULL DEFAULT 0
);
INSERT INTO changes_horizon DEFAULT VALUES;
GRANT SELECT ON changes_horizon TO diaban_app;

-- +goose StatementBegin
-- prune_changes deletes up to batch of the oldest changes committed more than
-- keep ago and returns how many it deleted. Sequences are taken under the
-- writers' advisory lock, so `at` grows with `seq`: the oldest batch rows by
-- seq (the primary key) are the only ones to look at.
CREATE FUNCTION prune_changes(keep interval, batch integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    top bigint;
    n   integer;
BEGIN
    SELECT max(seq) INTO top
    FROM (SELECT seq, at FROM changes ORDER BY seq LIMIT batch) oldest
    WHERE at < now() - keep;
    IF top IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM changes WHERE seq <= top;
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE changes_horizon SET pruned_through = greatest(pruned_through, top);
    RETURN n;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION prune_changes(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_changes(interval, integer) TO diaban_app;

-- +goose Down
DROP FUNCTION prune_changes(interval, integer);
DROP TABLE changes_horizon;
