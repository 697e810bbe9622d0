-- Whether an indicator has values, read from the primary key's index.
--
-- EXISTS (SELECT 1 ... WHERE indicator_id = $1) was planned as a sequential
-- scan: with most of the table matching, PostgreSQL expects to meet a row at
-- once, but rows lie in import order, so it read every value of the
-- indicators imported before, and the whole table for an indicator without
-- values — the indicators list grew with the values (tens of milliseconds a
-- page). Ordered as the index is, the first row is an index-only lookup.
CREATE OR REPLACE FUNCTION indicator_has_values(indicator bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT true FROM indicator_values v WHERE v.indicator_id = indicator
             ORDER BY v.indicator_id, v.period LIMIT 1) IS NOT NULL;
