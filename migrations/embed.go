// Package migrations holds the migration directory in the Atlas format:
// <version>_<name>.sql files and atlas.sum, and down/ with the reviewed down
// scripts and their own atlas.sum. FS embeds it so the binary can apply and
// roll back on a machine with no source tree.
package migrations

import "embed"

// FS is the committed migration directory.
//
//go:embed *.sql atlas.sum down/*.sql down/atlas.sum
var FS embed.FS
