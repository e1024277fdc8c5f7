package migdir_test

import (
	"testing"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

func TestValidFileName(t *testing.T) {
	for name, want := range map[string]bool{
		"20261130042119_create_players.sql": true,
		"1_init.sql":                        true,
		"20261130042119.sql":                true, // `atlas migrate new` without a name
		"fix_data.sql":                      false,
		"v2_fix.sql":                        false,
		"20261130042119_.sql":               false,
		"_init.sql":                         false,
		".sql":                              false,
		"20261130042119_init.SQL":           false,
		"20261130042119-init.sql":           false,
		"20261130042119_a\\b.sql":           false,
		"20261130042119_été.sql":            true,
		"20261130042119_a.b.sql":            true,
		"20261130042119_a\nb.sql":           false, // found by FuzzFile: atlas.sum could not list it
		"20261130042119_a b.sql":            false,
		"20261130042119_ah1:b.sql":          false,
	} {
		if got := migdir.ValidFileName(name); got != want {
			t.Errorf("ValidFileName(%q) = %v, want %v", name, got, want)
		}
	}
}
