-- Down script of template "seed": deletes exactly the seeded rows: those
-- equal to a seeded tuple in every listed column ({{.ColumnList}}).
-- TODO: paste the same tuples as in the up file, then `structmigrate hash`.
-- The rows deleted here are the ones the up file inserted.
-- atlas:nolint DS102
DELETE FROM {{.TableQ}} WHERE ({{.ColumnsQ}}) IN (VALUES
  ({{.Todo}})
);
