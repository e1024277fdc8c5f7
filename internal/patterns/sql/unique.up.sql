-- Template "unique": de-duplicate {{.TableQ}} on ({{.ColumnList}}), then a
-- unique index. Reviewed starting point; read docs/patterns.md#unique.
--
-- Of each group of rows with equal ({{.ColumnList}}) the row with the lowest
-- rowid stays; the others are copied to {{.ArchiveQ}} and then deleted, so
-- nothing is lost silently: the guard reports the deleted rows (declared
-- below, DS102) and the down script puts them back. Rows where any of
-- ({{.ColumnList}}) is NULL are left alone: a unique index treats NULLs as
-- distinct. Review the duplicates before applying, e.g.:
--   SELECT {{.ColumnsQ}}, count(*) FROM {{.TableQ}} GROUP BY {{.ColumnsQ}} HAVING count(*) > 1;
--
-- Cost: three passes over the table plus the index build, all in one
-- transaction holding the write lock. Needs a rowid table (not WITHOUT ROWID).
-- {{.ArchiveQ}} is not a model: list it in the env's exclude
-- (atlas.hcl: exclude = ["*__dups_*"]) or drop it in a later, reviewed migration.
-- Add the unique index to the struct too (gorm:"uniqueIndex:{{.Index}}").
CREATE TABLE {{.ArchiveQ}} AS SELECT * FROM {{.TableQ}} WHERE 0;
INSERT INTO {{.ArchiveQ}} SELECT * FROM {{.TableQ}}
WHERE {{.NotNull}}
  AND rowid NOT IN (SELECT min(rowid) FROM {{.TableQ}} WHERE {{.NotNull}} GROUP BY {{.ColumnsQ}});
-- The duplicates deleted here were copied to {{.ArchiveQ}} just above.
-- atlas:nolint DS102
DELETE FROM {{.TableQ}}
WHERE {{.NotNull}}
  AND rowid NOT IN (SELECT min(rowid) FROM {{.TableQ}} WHERE {{.NotNull}} GROUP BY {{.ColumnsQ}});
CREATE UNIQUE INDEX {{.IndexQ}} ON {{.TableQ}} ({{.ColumnsQ}});
