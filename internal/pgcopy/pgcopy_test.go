package pgcopy_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gsqlite "github.com/glebarez/sqlite"
	gpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/pgcopy"
	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Owner and Item are an app's models: items reference owners (and sort
// before them by name, so the copy must order by foreign key), with the
// column types GORM maps differently on SQLite and PostgreSQL.
type Owner struct {
	ID   uint
	Name string
}

type Item struct {
	ID      uint
	OwnerID uint
	Owner   Owner
	Label   string
	Note    *string
	Score   float64
	Ratio   *float64
	Count   int32
	Big     int64
	Active  bool
	Flag    *bool
	At      time.Time
	Seen    *time.Time
	Data    []byte
}

const nItems = 100_000

// runes for labels: accents, CJK, emoji (outside the BMP), a combining
// mark, quotes, a backslash, whitespace.
var runes = []rune("aZé中文🐐\u0301'\"\\ \t\n€ß")

func gen(rng *rand.Rand) ([]Owner, []Item) {
	owners := make([]Owner, 20)
	for i := range owners {
		owners[i] = Owner{ID: uint(i + 1), Name: "owner " + string(runes[rng.IntN(len(runes))])}
	}
	items := make([]Item, nItems)
	floats := []float64{0, -0.5, 0.1, 1e-300, -1e300, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125}
	for i := range items {
		it := &items[i]
		it.ID = uint(i*3 + 7) // explicit, sparse ids
		it.OwnerID = uint(rng.IntN(len(owners)) + 1)
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		it.Label = b.String()
		if rng.IntN(3) > 0 {
			s := b.String() + "!"
			it.Note = &s
		}
		it.Score = rng.NormFloat64() * 1e6
		if rng.IntN(10) == 0 {
			it.Score = floats[rng.IntN(len(floats))]
		}
		if rng.IntN(2) == 0 {
			r := rng.Float64()
			it.Ratio = &r
		}
		it.Count = rng.Int32() - math.MaxInt32/2
		it.Big = rng.Int64() - math.MaxInt64/2
		it.Active = rng.IntN(2) == 0
		if rng.IntN(3) > 0 {
			f := rng.IntN(2) == 0
			it.Flag = &f
		}
		zone := time.FixedZone("", (rng.IntN(25)-12)*3600)
		it.At = time.Unix(rng.Int64N(4e9)-1e9, int64(rng.IntN(1e6))*1000).In(zone)
		if rng.IntN(2) == 0 {
			s := time.Unix(rng.Int64N(2e9), 0).UTC()
			it.Seen = &s
		}
		switch rng.IntN(3) {
		case 0: // NULL
		case 1:
			it.Data = []byte{}
		default:
			it.Data = make([]byte, rng.IntN(64)+1)
			for j := range it.Data {
				it.Data[j] = byte(rng.IntN(256))
			}
		}
	}
	return owners, items
}

// revisions gives both sides the same applied version, as each env's
// history would.
func revisions(t *testing.T, db *gorm.DB, table string) {
	t.Helper()
	if strings.Contains(table, ".") {
		must(t, db.Exec("CREATE SCHEMA atlas_schema_revisions").Error)
	}
	must(t, db.Exec("CREATE TABLE "+table+" (version text PRIMARY KEY, applied int, total int)").Error)
	must(t, db.Exec("INSERT INTO "+table+" VALUES ('20260101000000', 3, 3)").Error)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// 100k rows of every kind arrive intact: read back through GORM on both
// sides, every field of every row is equal; the ids keep going after the
// largest copied one.
func TestCopyIntact(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	pgURL := pgtest.NewDB(t)
	path := filepath.Join(t.TempDir(), "app.db")
	// A config each: gorm.Open keeps its dialector in the one it is given.
	cfg := func() *gorm.Config { return &gorm.Config{Logger: logger.Discard, CreateBatchSize: 500} }
	lite, err := gorm.Open(gsqlite.Open(path), cfg())
	must(t, err)
	pg, err := gorm.Open(gpostgres.Open(pgURL), cfg())
	must(t, err)
	for _, db := range []*gorm.DB{lite, pg} {
		must(t, db.AutoMigrate(&Owner{}, &Item{}))
	}
	revisions(t, lite, "atlas_schema_revisions")
	revisions(t, pg, "atlas_schema_revisions.atlas_schema_revisions")
	owners, items := gen(rand.New(rand.NewPCG(17, 2)))
	must(t, lite.Create(&owners).Error)
	t.Logf("migrate %v", time.Since(start))
	must(t, lite.Transaction(func(tx *gorm.DB) error { return tx.Omit("Owner").Create(&items).Error }))
	// The SQLite driver writes a nil []byte as an empty blob: NULL blobs
	// by SQL.
	var nilIDs []uint
	for _, it := range items {
		if it.Data == nil {
			nilIDs = append(nilIDs, it.ID)
		}
	}
	for len(nilIDs) > 0 {
		n := min(len(nilIDs), 10000)
		must(t, lite.Exec("UPDATE items SET data = NULL WHERE id IN ?", nilIDs[:n]).Error)
		nilIDs = nilIDs[n:]
	}
	sqlDB, err := lite.DB()
	must(t, err)
	sqlDB.Close()

	src, err := sqlitedb.OpenFile(path, true)
	must(t, err)
	defer src.Close()
	t.Logf("setup %v", time.Since(start))
	start = time.Now()
	got, err := pgcopy.Copy(ctx, pgcopy.Input{Source: src, SourceURL: path, TargetURL: pgURL, Out: io.Discard})
	must(t, err)
	copied := time.Since(start)
	if len(got) != 2 || got[0].Name != "owners" || got[1].Name != "items" || got[1].Rows != nItems {
		t.Fatalf("copied %+v, want owners then items (%d rows)", got, nItems)
	}

	// What the app wrote is what PostgreSQL holds, row for row, field
	// for field (the source is compared through the copy's own digests;
	// this compares with the values themselves).
	var b []Item
	must(t, pg.Order("id").Find(&b).Error)
	if len(b) != nItems {
		t.Fatalf("rows: target %d, want %d", len(b), nItems)
	}
	for i := range items {
		if d := diffItem(items[i], b[i]); d != "" {
			t.Fatalf("item %d: %s\nwritten %+v\ntarget  %+v", items[i].ID, d, items[i], b[i])
		}
	}
	// GORM reads an empty bytea as nil: NULL and empty blobs by SQL.
	// (The generator makes a third of the blobs NULL and a third empty.)
	var nulls, empties, wantNulls, wantEmpties int
	must(t, pg.Raw("SELECT count(*) FILTER (WHERE data IS NULL), count(*) FILTER (WHERE length(data) = 0) FROM items").Row().Scan(&nulls, &empties))
	for _, it := range items {
		switch {
		case it.Data == nil:
			wantNulls++
		case len(it.Data) == 0:
			wantEmpties++
		}
	}
	if nulls != wantNulls || empties != wantEmpties || nulls == 0 || empties == 0 {
		t.Fatalf("blobs: %d NULL, %d empty; want %d, %d", nulls, empties, wantNulls, wantEmpties)
	}
	t.Logf("copied in %v", copied)
	lite, err = gorm.Open(gsqlite.Open(path), cfg())
	must(t, err)
	var oa, ob []Owner
	must(t, lite.Order("id").Find(&oa).Error)
	must(t, pg.Order("id").Find(&ob).Error)
	if len(oa) != len(ob) {
		t.Fatalf("owners: %d vs %d", len(oa), len(ob))
	}
	for i := range oa {
		if oa[i] != ob[i] {
			t.Fatalf("owner %v vs %v", oa[i], ob[i])
		}
	}
	// The sequence was moved past the largest explicit id.
	n := Item{OwnerID: 1, At: time.Now()}
	must(t, pg.Omit("Owner").Create(&n).Error)
	if want := items[nItems-1].ID + 1; n.ID != want {
		t.Fatalf("next id %d, want %d", n.ID, want)
	}
}

func diffItem(a, b Item) string {
	switch {
	case a.ID != b.ID || a.OwnerID != b.OwnerID:
		return "ids"
	case a.Label != b.Label:
		return "label"
	case (a.Note == nil) != (b.Note == nil) || a.Note != nil && *a.Note != *b.Note:
		return "note"
	case math.Float64bits(a.Score) != math.Float64bits(b.Score) && a.Score != b.Score:
		return "score"
	case (a.Ratio == nil) != (b.Ratio == nil) || a.Ratio != nil && *a.Ratio != *b.Ratio:
		return "ratio"
	case a.Count != b.Count || a.Big != b.Big:
		return "integers"
	case a.Active != b.Active || (a.Flag == nil) != (b.Flag == nil) || a.Flag != nil && *a.Flag != *b.Flag:
		return "booleans"
	case !a.At.Equal(b.At):
		return "at"
	case (a.Seen == nil) != (b.Seen == nil) || a.Seen != nil && !a.Seen.Equal(*b.Seen):
		return "seen"
	case !bytes.Equal(a.Data, b.Data): // NULL and empty: counted in SQL
		return "data"
	}
	return ""
}
