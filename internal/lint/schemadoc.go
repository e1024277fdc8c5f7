package lint

import (
	"bytes"
	"errors"
	"io/fs"
	"os"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/erd"
)

// schemaDoc reports a generated diagram page that no longer shows the
// structs. A project that deleted the page is not asked for one.
func schemaDoc(o Options, want *schema.Schema, r *Report) error {
	if o.SchemaDoc == "" || want == nil {
		return nil
	}
	have, err := os.ReadFile(o.SchemaDoc)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	page, err := erd.Doc(want)
	if err != nil {
		return err
	}
	// Git may check the page out with CRLF line ends; the line of the first
	// difference is counted in the normalized text, which has the same lines.
	have = bytes.ReplaceAll(have, []byte("\r\n"), []byte("\n"))
	if string(have) == page {
		return nil
	}
	r.Add(Diagnostic{Rule: RuleSchemaDoc, Code: CodeStaleDoc, File: o.SchemaDoc, Line: firstDiff([]byte(page), have),
		Message: "the schema diagram is stale: it is not what `structmigrate schema --format mermaid --doc` prints for the structs"})
	return nil
}
