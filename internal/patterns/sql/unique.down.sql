-- Down script of template "unique": drops the unique index, then restores
-- the archived duplicates (all their columns, with their own key values)
-- and drops the archive.
DROP INDEX IF EXISTS {{.IndexQ}};
INSERT INTO {{.TableQ}} SELECT * FROM {{.ArchiveQ}};
-- Stops the rollback unless every archived row is back: the DS102 below
-- excuses the archive's rows, so this check is what keeps them.
-- (SQLite has no RAISE outside triggers: json() of this text is the error,
-- and the error names this statement.)
SELECT json({{.Check}})
WHERE EXISTS (SELECT * FROM {{.ArchiveQ}} EXCEPT SELECT * FROM {{.TableQ}});
-- Its rows were restored into {{.TableQ}} just above.
-- atlas:nolint DS102
DROP TABLE {{.ArchiveQ}};
