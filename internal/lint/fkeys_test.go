package lint_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/lint"
)

// The fixes SM801's hint names remove the finding, on the schema GORM
// writes for each: a unique index on the referenced columns, or
// constraint:- on the association (GORM's ParseConstraint skips it).
type fxPage struct {
	ID       uint   `gorm:"primaryKey"`
	Key      string `gorm:"not null"`
	SiteName string `gorm:"not null"`
}

func (fxPage) TableName() string { return "pages" }

type fxPageUnique struct {
	ID       uint   `gorm:"primaryKey"`
	Key      string `gorm:"not null;uniqueIndex:idx_pages_key_site"`
	SiteName string `gorm:"not null;uniqueIndex:idx_pages_key_site"`
}

func (fxPageUnique) TableName() string { return "pages" }

type fxComment struct {
	gorm.Model
	PageKey  string
	SiteName string
	Page     fxPage `gorm:"foreignKey:PageKey,SiteName;references:Key,SiteName"`
}

func (fxComment) TableName() string { return "comments" }

type fxCommentUnique struct {
	ID       uint `gorm:"primaryKey"`
	PageKey  string
	SiteName string
	Page     fxPageUnique `gorm:"foreignKey:PageKey,SiteName;references:Key,SiteName"`
}

func (fxCommentUnique) TableName() string { return "comments" }

type fxCommentNoConstraint struct {
	ID       uint `gorm:"primaryKey"`
	PageKey  string
	SiteName string
	Page     fxPage `gorm:"foreignKey:PageKey,SiteName;references:Key,SiteName;constraint:-"`
}

func (fxCommentNoConstraint) TableName() string { return "comments" }

func TestUnenforceableFixes(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		models []any
		fks    int // constraints GORM writes on comments
		want   int // of them unenforceable
	}{
		{"as declared", []any{&fxPage{}, &fxComment{}}, 1, 1},
		{"unique index", []any{&fxPageUnique{}, &fxCommentUnique{}}, 1, 0},
		{"constraint:-", []any{&fxPage{}, &fxCommentNoConstraint{}}, 0, 0},
	} {
		s, err := desired.Schema(ctx, c.models...)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := lint.Unenforceable(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != c.want {
			t.Errorf("%s: %d unenforceable keys %v, want %d", c.name, len(keys), keys, c.want)
		}
		if tbl, ok := s.Table("comments"); !ok || len(tbl.ForeignKeys) != c.fks {
			t.Errorf("%s: GORM wrote %v, want %d foreign keys on comments", c.name, tbl, c.fks)
		}
	}
}
