-- Down script of template "index": drops the index the up file created.
-- Rows and values are not changed.
DROP INDEX IF EXISTS {{.IndexQ}};
