package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/erd"
	"github.com/structmigrate/structmigrate/migrator"
)

// TestSchemaDoc: the committed docs/schema.md is the diagram of the
// committed structs (lint's SM901 says the same in CI; this fails in
// make test already). Regenerate with make schema-doc.
func TestSchemaDoc(t *testing.T) {
	have, err := os.ReadFile(erd.DocPath)
	if os.IsNotExist(err) {
		t.Skip(erd.DocPath + " was deleted: nothing to keep current")
	}
	if err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	if code := migrator.Run([]string{"structmigrate", "schema", "--format", "mermaid", "--doc"}, program(), &out, &stderr); code != 0 {
		t.Fatalf("schema --doc: exit %d: %s", code, stderr.String())
	}
	if want := out.String(); strings.ReplaceAll(string(have), "\r\n", "\n") != want {
		t.Fatalf("%s is stale: run make schema-doc. Want:\n%s", erd.DocPath, want)
	}
}
