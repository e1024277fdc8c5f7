package restorepoint

// Config says whether a run takes a point, where, and how many are kept.
type Config struct {
	// Disabled, when set, is why no point is taken (e.g.
	// "--no-restore-point"); the run's log says so.
	Disabled string
	// DB is the database as the user named it, for messages and the
	// default folder; "" uses the file SQLite reports.
	DB string
	// Dir is the folder; "" is DefaultDir(DB).
	Dir string
	// Keep is how many points of the database are kept (0: DefaultKeep).
	Keep int
	// MaxBytes caps their total size (0: no cap). The newest point is
	// kept even when it alone is larger.
	MaxBytes uint64
	// Off says how to proceed without a point, for the refusal when the
	// copy does not fit (default "--no-restore-point").
	Off string
}

func (c Config) keep() int {
	if c.Keep <= 0 {
		return DefaultKeep
	}
	return c.Keep
}

func (c Config) off() string {
	if c.Off == "" {
		return "--no-restore-point"
	}
	return c.Off
}

// Folder is where the points of the database file db go.
func (c Config) Folder(db string) string {
	if c.Dir != "" {
		return c.Dir
	}
	return DefaultDir(db)
}
