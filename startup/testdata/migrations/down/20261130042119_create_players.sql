-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Drop "players" table
DROP TABLE `players`;
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
