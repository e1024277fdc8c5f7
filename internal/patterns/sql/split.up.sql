-- Template "split": a data migration with its reverse. Copies {{.TableQ}}.{{.ColumnQ}}
-- into two new columns {{.FirstQ}} and {{.SecondQ}}, split at the first {{.Sep}}.
-- Reviewed starting point; read docs/patterns.md#split.
--
-- {{.ColumnQ}} is kept (expand, then contract): drop it in a later migration,
-- once no code reads it. Rows: {{.FirstQ}} gets the text before the first
-- {{.Sep}}, {{.SecondQ}} the rest (NULL when there is no {{.Sep}}); a NULL
-- {{.ColumnQ}} leaves both NULL. Joining them back gives {{.ColumnQ}} exactly.
-- Add both fields to the struct too, or the next diff plans to drop them.
--
-- Cost: two ADD COLUMNs (no table copy) and one UPDATE of every row, in one
-- transaction holding the write lock.
ALTER TABLE {{.TableQ}} ADD COLUMN {{.FirstQ}} text NULL;
ALTER TABLE {{.TableQ}} ADD COLUMN {{.SecondQ}} text NULL;
UPDATE {{.TableQ}} SET
  {{.FirstQ}} = CASE WHEN instr({{.ColumnQ}}, {{.Sep}}) = 0 THEN {{.ColumnQ}}
    ELSE substr({{.ColumnQ}}, 1, instr({{.ColumnQ}}, {{.Sep}}) - 1) END,
  {{.SecondQ}} = CASE WHEN instr({{.ColumnQ}}, {{.Sep}}) = 0 THEN NULL
    ELSE substr({{.ColumnQ}}, instr({{.ColumnQ}}, {{.Sep}}) + length({{.Sep}})) END
WHERE {{.ColumnQ}} IS NOT NULL;
