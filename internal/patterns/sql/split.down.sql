-- Down script of template "split": fills {{.ColumnQ}} where it is NULL (rows
-- written since by code that knew only the new columns) by joining {{.FirstQ}}
-- and {{.SecondQ}}, checks that every row's {{.ColumnQ}} equals the join, then
-- drops the two columns.
UPDATE {{.TableQ}} SET {{.ColumnQ}} =
  CASE WHEN {{.SecondQ}} IS NULL THEN {{.FirstQ}} ELSE {{.FirstQ}} || {{.Sep}} || {{.SecondQ}} END
WHERE {{.ColumnQ}} IS NULL AND {{.FirstQ}} IS NOT NULL;
-- Stops the rollback where a row's new columns were edited since the split
-- (its {{.ColumnQ}} differs from the join): the DS103 below excuses what the
-- drops lose, so this check is what keeps the edits. Reconcile those rows
-- by hand, then roll back. (SQLite has no RAISE outside triggers: json() of
-- this text is the error, and the error names this statement.)
SELECT json({{.Check}})
WHERE EXISTS (SELECT 1 FROM {{.TableQ}} WHERE {{.ColumnQ}} IS NOT
  (CASE WHEN {{.SecondQ}} IS NULL THEN {{.FirstQ}} ELSE {{.FirstQ}} || {{.Sep}} || {{.SecondQ}} END));
-- Their values were joined back into {{.ColumnQ}} and checked just above.
-- atlas:nolint DS103
ALTER TABLE {{.TableQ}} DROP COLUMN {{.FirstQ}};
-- atlas:nolint DS103
ALTER TABLE {{.TableQ}} DROP COLUMN {{.SecondQ}};
