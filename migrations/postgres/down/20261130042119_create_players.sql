-- Drop "players" table
DROP TABLE "players";
