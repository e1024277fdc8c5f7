-- Down script of template "split": joins {{.FirstQ}} and {{.SecondQ}} back into
-- {{.ColumnQ}} (only where that changes it: rows written since by code that
-- knew only the new columns, or edited since), then drops the two columns.
UPDATE {{.TableQ}} SET {{.ColumnQ}} =
  CASE WHEN {{.SecondQ}} IS NULL THEN {{.FirstQ}} ELSE {{.FirstQ}} || {{.Sep}} || {{.SecondQ}} END
WHERE {{.ColumnQ}} IS NOT (CASE WHEN {{.SecondQ}} IS NULL THEN {{.FirstQ}} ELSE {{.FirstQ}} || {{.Sep}} || {{.SecondQ}} END);
-- Their values were joined back into {{.ColumnQ}} just above.
-- atlas:nolint DS103
ALTER TABLE {{.TableQ}} DROP COLUMN {{.FirstQ}};
-- atlas:nolint DS103
ALTER TABLE {{.TableQ}} DROP COLUMN {{.SecondQ}};
