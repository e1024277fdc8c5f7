// Package migdir handles the migration directory in the Atlas format: file
// names, atlas.sum, and the refusal of a directory whose sum does not match.
package migdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// Dir is a migration directory on disk (*migrate.LocalDir) or compiled
// into the binary (Embedded); Path names it in messages.
type Dir interface {
	migrate.Dir
	Path() string
}

// SumFile is the name of the checksum file, as the Atlas CLI names it.
const SumFile = migrate.HashFileName

// Open opens the migration directory at path. create makes it when missing
// (diff, new); otherwise a missing directory is an error naming the path.
func Open(path string, create bool) (*migrate.LocalDir, error) {
	if create {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, err
		}
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("migration directory %s does not exist", path)
	}
	return migrate.NewLocalDir(path)
}

// ChecksumError reports a directory whose atlas.sum does not match its files.
// Its text carries the Atlas CLI's wording, on one line.
type ChecksumError struct {
	Dir string
	Err error // *migrate.ChecksumError, migrate.ErrChecksumNotFound or ErrChecksumFormat
}

func (e *ChecksumError) Error() string {
	what := "checksum mismatch"
	var ce *migrate.ChecksumError
	switch {
	case errors.Is(e.Err, migrate.ErrChecksumNotFound):
		what = "checksum file not found"
	case errors.As(e.Err, &ce):
		what += fmt.Sprintf(": %s L%d: %s was %s", filepath.Join(e.Dir, SumFile), ce.Line, ce.File, ce.Reason)
	case errors.Is(e.Err, migrate.ErrChecksumFormat):
		what += ": " + filepath.Join(e.Dir, SumFile) + " is malformed"
	}
	if filepath.Base(e.Dir) == DownDirName { // the Atlas CLI does not hash down/
		return what + ". You have a checksum error in your down scripts. " +
			"Please check them and run 'structmigrate hash' to re-hash the contents"
	}
	return what + ". You have a checksum error in your migration directory. " +
		"Please check your migration files and run 'atlas migrate hash' (or 'structmigrate hash') to re-hash the contents"
}

func (e *ChecksumError) Unwrap() error { return e.Err }

// Validate checks the file names, then atlas.sum against the files, as
// every CLI command does first.
func Validate(dir Dir) error {
	if err := CheckNames(dir); err != nil {
		return err
	}
	err := migrate.Validate(dir)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, migrate.ErrChecksumNotFound), errors.Is(err, migrate.ErrChecksumFormat), errors.Is(err, migrate.ErrChecksumMismatch):
		return &ChecksumError{Dir: dir.Path(), Err: err}
	default: // unreadable file or sum: re-hashing would not help
		return fmt.Errorf("read migration directory %s: %w", dir.Path(), err)
	}
}

// Hash rewrites atlas.sum from the files (the CLI's `migrate hash`).
func Hash(dir migrate.Dir) error {
	if err := CheckNames(dir); err != nil {
		return err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return migrate.WriteSumFile(dir, sum)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_\-]*$`)

// CheckName rejects migration names that would make odd file names.
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid migration name %q: use letters, digits, '_' and '-' (e.g. add_nickname)", name)
	}
	return nil
}

// NextVersion returns the version for a new file: now in UTC at one-second
// resolution (the CLI's format), or one second after the last file when that
// is not newer, so two diffs in the same second never collide or go out of order.
func NextVersion(dir migrate.Dir, now time.Time) (string, error) {
	const layout = "20060102150405"
	v := now.UTC().Format(layout)
	if err := CheckNames(dir); err != nil {
		return "", err
	}
	files, err := dir.Files()
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return v, nil
	}
	last := files[len(files)-1].Version()
	if v > last {
		return v, nil
	}
	t, err := time.Parse(layout, last)
	if err != nil {
		return "", fmt.Errorf("last migration version %q is not a timestamp; cannot pick a newer one", last)
	}
	return t.Add(time.Second).Format(layout), nil
}

// WriteFile writes one migration file and re-hashes the directory.
func WriteFile(dir Dir, name string, content []byte) (string, error) {
	if err := dir.WriteFile(name, content); err != nil {
		return "", err
	}
	if err := Hash(dir); err != nil {
		return "", err
	}
	return filepath.Join(dir.Path(), name), nil
}
