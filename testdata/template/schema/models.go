package schema

// Models lists every model to migrate: the template-swap check
// (.ci/template-swap) puts this set in place of the sample's Player.
func Models() []any {
	return []any{
		&Author{},
		&Book{},
	}
}
