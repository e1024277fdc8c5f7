package schema

import "embed"

// Sources are this package's Go files as the binary was built from them. A
// built binary run in a source tree compares them with schema/ on disk: when
// they differ, it warns that it answers for other structs, and diff refuses
// (internal/cli/sources.go). Keep the models in this package.
//
//go:embed *.go
var Sources embed.FS
