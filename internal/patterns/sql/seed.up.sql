-- Template "seed": rows that are safe to re-run. Reviewed starting point;
-- read docs/patterns.md#seed.
--
-- TODO: replace each TODO(...) below with the rows' values (one tuple per row)
-- and paste the same tuples into the down script; until then the file fails to
-- apply ("no such function: TODO"). Then run `structmigrate hash`.
-- ON CONFLICT DO NOTHING: a row whose primary key or another unique value
-- already exists is skipped, never overwritten, so re-running adds nothing.
-- The down script deletes the rows equal to these tuples in every listed
-- column: a row that existed before with the same key and other values
-- stays. Leave out columns whose seeded value is NULL (NULL never compares
-- equal, so the down script would keep such a row).
INSERT INTO {{.TableQ}} ({{.ColumnsQ}}) VALUES
  ({{.Todo}})
ON CONFLICT DO NOTHING;
