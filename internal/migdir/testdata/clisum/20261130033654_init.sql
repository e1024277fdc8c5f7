-- Create "players" table
CREATE TABLE `players` (`id` text NOT NULL, `first_name` text NULL, `squad_number` integer NULL, PRIMARY KEY (`id`));
-- Create index "idx_players_squad_number" to table: "players"
CREATE UNIQUE INDEX `idx_players_squad_number` ON `players` (`squad_number`);
