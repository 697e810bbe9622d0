-- Indicator values: what the import and the public
-- queries need beyond sql/014.

-- The 6-digit form of a municipality code (DATASUS, INEP: the IBGE code
-- without its check digit) is resolved by one join on its first six digits,
-- never by computing the check digit (nine real codes break the rule). The
-- index makes that join fast and guarantees it is unambiguous: no two
-- municipalities share their first six digits.
CREATE UNIQUE INDEX municipalities_code6_idx ON municipalities (substr(ibge_code, 1, 6));
