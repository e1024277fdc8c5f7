-- Create "players" table
CREATE TABLE "players" ("id" text NOT NULL, "firstName" text NULL, "middleName" text NULL, "lastName" text NULL, "dateOfBirth" text NULL, "squadNumber" bigint NULL, "position" text NULL, "abbrPosition" text NULL, "team" text NULL, "league" text NULL, "starting11" boolean NULL, PRIMARY KEY ("id"));
-- Create index "idx_players_squad_number" to table: "players"
CREATE UNIQUE INDEX "idx_players_squad_number" ON "players" ("squadNumber");
