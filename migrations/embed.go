// Package migrations holds the migration directory in the Atlas format:
// <version>_<name>.sql files and atlas.sum, and down/ with the reviewed down
// scripts and their own atlas.sum. FS embeds it so the binary can apply and
// roll back on a machine with no source tree.
package migrations

import "embed"

// FS is the committed migration directory. The pattern is "*" rather than
// "*.sql atlas.sum down": a pattern that matches no file is a compile
// error, and a new project starts with no migration at all ("*" always
// matches this file). Readers take only *.sql and atlas.sum from it
// (internal/migdir.FromFS), as the Atlas CLI does from a directory.
//
//go:embed *
var FS embed.FS
