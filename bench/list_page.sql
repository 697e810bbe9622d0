-- pgbench script for bench/run.sh: the plain SELECT of the columns behind one
-- public list page of 50 (GET /v1/municipalities?state=SP&limit=50), 51 rows
-- as pacto asks for them (one more, to know whether a next page exists), no
-- JSON built in SQL. This is the ceiling: PostgreSQL producing the bare rows.
SELECT m.ibge_code, m.name, s.uf, s.region, m.latitude, m.longitude, m.capital,
       m.created_at, m.updated_at
  FROM municipalities m JOIN states s ON s.code = m.state_code
 WHERE s.uf = 'SP'
 ORDER BY m.ibge_code
 LIMIT 51;
