-- Create "players" table
CREATE TABLE `players` (`id` text NULL, `firstName` text NULL, `middleName` text NULL, `lastName` text NULL, `dateOfBirth` text NULL, `squadNumber` integer NULL, `position` text NULL, `abbrPosition` text NULL, `team` text NULL, `league` text NULL, `starting11` numeric NULL, PRIMARY KEY (`id`));
-- Create index "idx_players_squad_number" to table: "players"
CREATE UNIQUE INDEX `idx_players_squad_number` ON `players` (`squadNumber`);
