-- Rows in the exact shape the Atlas CLI v0.38.0 (ent, mattn/go-sqlite3) writes
-- into atlas_schema_revisions on SQLite:
--   executed_at    TEXT in the layout 2006-01-02 15:04:05.999999999-07:00
--   execution_time integer nanoseconds
--   error, error_stmt '' (empty string) when the file succeeded
--   hash           the file's atlas.sum entry without the "h1:" prefix
--   partial_hashes a BLOB: the 4 bytes `null` (X'6E756C6C') or a JSON array
-- `sqlite3 db 'SELECT * FROM atlas_schema_revisions'` prints e.g.
--   20261130033654|init|2|2|2|2026-11-30 03:36:56.142766886+00:00|135958|||u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=|null|Atlas CLI v0.38.0

-- The identifier row the official binary adds (EntRevisions.ID): only id,
-- description (a UUID), operator_version, executed_at, execution_time and
-- hash are set; the rest are defaults or NULL. It is not a migration.
INSERT INTO `atlas_schema_revisions` (`version`, `description`, `type`, `applied`, `total`, `executed_at`, `execution_time`, `error`, `error_stmt`, `hash`, `partial_hashes`, `operator_version`)
VALUES ('.atlas_cloud_identifier', '5b1f0a52-7c1e-4a53-9d0e-2f6a3c8b9e41', 2, 0, 0, '2026-11-30 03:36:55.907112233+00:00', 0, NULL, NULL, '', NULL, 'Atlas CLI v0.38.0');

-- A baseline (migrate apply --baseline / migrate set): type 1, nothing executed.
INSERT INTO `atlas_schema_revisions` (`version`, `description`, `type`, `applied`, `total`, `executed_at`, `execution_time`, `error`, `error_stmt`, `hash`, `partial_hashes`, `operator_version`)
VALUES ('20261101000000', 'baseline', 1, 0, 0, '2026-11-30 03:36:56.001002003+00:00', 0, '', '', '', X'6E756C6C', 'Atlas CLI v0.38.0');

-- A file applied in full: type 2 (executed), applied = total = statements.
INSERT INTO `atlas_schema_revisions` (`version`, `description`, `type`, `applied`, `total`, `executed_at`, `execution_time`, `error`, `error_stmt`, `hash`, `partial_hashes`, `operator_version`)
VALUES ('20261130033654', 'init', 2, 2, 2, '2026-11-30 03:36:56.142766886+00:00', 135958, '', '', 'u1QGiuqF+qfkh1MAgzZr6ZYjkK+CLkxx7xrKcDPIPmY=', X'6E756C6C', 'Atlas CLI v0.38.0');

-- A file that failed on its third statement when run without a transaction:
-- two statements applied, their running hashes kept as a JSON array blob.
INSERT INTO `atlas_schema_revisions` (`version`, `description`, `type`, `applied`, `total`, `executed_at`, `execution_time`, `error`, `error_stmt`, `hash`, `partial_hashes`, `operator_version`)
VALUES ('20261201101010', 'add_nickname', 2, 2, 3, '2026-12-01 10:10:12.5+01:00', 2048000, 'no such table: teams', 'INSERT INTO `teams` (`id`) VALUES (1);', 'mDShSrm8qg9qjacQc2F+rI8ATllqP6EdgHuEYxuCXZ0=', CAST('["h1:9V+0SvJtAzhjWrs0/4Py1n6Fcgb0Rm2aTX7d/qRQbO4=","h1:4Zbp3F1gNJZXFJ3xw8XPURPuB76Hp9RzCrxNfN1MPyM="]' AS BLOB), 'Atlas CLI v0.38.0');
