-- Add column "nickname" to table: "players"
ALTER TABLE `players` ADD COLUMN `nickname` text NULL;
