package migdir

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"ariga.io/atlas/sql/migrate"
)

// fileNameRE is the form of a migration file name: a version of digits
// (the CLI's timestamps), then "_" and a name. The CLI's `migrate new`
// without a name writes "<version>.sql", which is accepted too. Any other
// name ("fix_data.sql") would give a version ("fix") that sorts after every
// timestamp, so that later files are "out of order" and diff/new fail.
//
// The name is limited to letters, digits, '_', '-' and '.': atlas.sum lists
// files one per line as "NAME h1:HASH" and trims spaces, so a name with a
// line break, surrounding spaces or "h1:" would write a sum no tool reads.
var fileNameRE = regexp.MustCompile(`^[0-9]+(_[\p{L}\p{N}_.\-]+)?\.sql$`)

// FileNameForm is the expected form, as error messages state it.
const FileNameForm = "<version>_<name>.sql, the version made of digits, the name of letters, digits, '_', '-' or '.' (e.g. 20261130042119_add_nickname.sql)"

// NameError refuses a .sql file of the migration directory whose name is
// not a migration file name.
type NameError struct {
	Path string // the file
}

func (e *NameError) Error() string {
	p := e.Path
	if strings.ContainsFunc(p, func(r rune) bool { return !unicode.IsPrint(r) }) {
		p = strconv.Quote(p) // a line break in a name must not break the message
	}
	return fmt.Sprintf("%s: not a migration file name: want %s", p, FileNameForm)
}

// ValidFileName reports whether name has the form of a migration file name.
func ValidFileName(name string) bool { return fileNameRE.MatchString(name) }

// CheckNames refuses the first .sql file of dir whose name is not a
// migration file name.
func CheckNames(dir migrate.Dir) error {
	files, err := dir.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		if !ValidFileName(f.Name()) {
			return &NameError{Path: filepath.Join(dirPath(dir), f.Name())}
		}
	}
	return nil
}

// dirPath names dir in messages.
func dirPath(dir migrate.Dir) string {
	if p, ok := dir.(interface{ Path() string }); ok {
		return p.Path()
	}
	return ""
}
