-- Down script of template "unique": drops the unique index, then restores
-- the archived duplicates (all their columns, with their own key values)
-- and drops the archive. The guard measures that {{.TableQ}} gets every row back.
DROP INDEX IF EXISTS {{.IndexQ}};
INSERT INTO {{.TableQ}} SELECT * FROM {{.ArchiveQ}};
-- Its rows were restored into {{.TableQ}} just above.
-- atlas:nolint DS102
DROP TABLE {{.ArchiveQ}};
