package engine

import (
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// checkSerials refuses an auto-increment column that Atlas's postgres
// inspector does not read back as a serial: it recognises the default
// nextval('<table>_<column>_seq') only when that name is ASCII letters,
// digits, "_" and "$", and otherwise plans the bare default without the
// sequence, a CREATE TABLE that fails ("relation … does not exist").
func checkSerials(s *schema.Schema) error {
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			x, ok := c.Default.(*schema.RawExpr)
			// The serial's own sequence, as PostgreSQL names it (a
			// default naming another sequence is the user's).
			if !ok || !strings.Contains(strings.ToLower(x.X), "nextval(") || !strings.Contains(x.X, t.Name+"_"+c.Name+"_seq") {
				continue
			}
			return &ident.NameError{Kind: "table", Name: t.Name,
				Why: "has the auto-increment column " + ident.QuotePG(c.Name) + ", whose sequence Atlas reads back as a serial only when the table's and column's names are ASCII letters, digits, _ and $"}
		}
	}
	return nil
}
