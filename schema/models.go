package schema

// Models lists every model to migrate. Adding a model here is all it takes
// for `structmigrate diff` to include its table.
func Models() []any {
	return []any{
		&Player{},
	}
}
