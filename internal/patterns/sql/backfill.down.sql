-- Down script of template "backfill": the rows the up file filled (their
-- keys are in {{.ArchiveQ}}) get their NULL back; the bookkeeping table goes.
-- These values were NULL before the backfill.
-- atlas:nolint DS103
UPDATE {{.TableQ}} SET {{.ColumnQ}} = NULL WHERE {{.KeyQ}} IN (SELECT {{.KeyQ}} FROM {{.ArchiveQ}});
-- Bookkeeping only: the keys of the rows the backfill filled.
-- atlas:nolint DS102
DROP TABLE {{.ArchiveQ}};
