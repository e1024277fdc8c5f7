package startup_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/startup"
)

// On PostgreSQL, replicas starting together (each with its own pool)
// apply the embedded migrations/postgres once: every Apply succeeds and
// reports the last version, one row per version, the seed once.
func TestPostgresReplicasApply(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	const replicas = 8
	reports := make([]*startup.Report, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("pgx", u)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			reports[i], errs[i] = startup.Apply(ctx, db)
		}()
	}
	wg.Wait()
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if r := reports[i]; r.Current != "20261130042120" || len(r.Pending) != 0 || r.Error != "" {
			t.Fatalf("replica %d: %s", i, r)
		}
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var revs, players int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM atlas_schema_revisions.atlas_schema_revisions), (SELECT count(*) FROM "players")`).Scan(&revs, &players); err != nil {
		t.Fatal(err)
	}
	if revs != 2 || players != 25 {
		t.Fatalf("%d revision rows (want 2), %d players (want 25)", revs, players)
	}
}

// Through GORM's postgres dialector: Check reports the pending files,
// ApplyGORM applies them; the options PostgreSQL does not support yet
// are refused, and a pool of one connection too (the lock holds one).
func TestPostgresGORM(t *testing.T) {
	u := pgtest.NewDB(t)
	ctx := context.Background()
	gdb, err := gorm.Open(postgres.Open(u), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	r, err := startup.CheckGORM(ctx, gdb)
	if err != nil {
		t.Fatal(err)
	}
	if r.Current != "" || len(r.Pending) != 2 {
		t.Fatalf("check on a fresh database: %s", r)
	}
	if _, err := startup.ApplyGORM(ctx, gdb, startup.WithBaseline("20261130042119")); err == nil || !strings.Contains(err.Error(), "WithBaseline is not supported on PostgreSQL yet") {
		t.Fatalf("WithBaseline: %v", err)
	}
	sqlDB.SetMaxOpenConns(1)
	if _, err := startup.ApplyGORM(ctx, gdb); err == nil || !strings.Contains(err.Error(), "needs two connections") {
		t.Fatalf("one connection: %v", err)
	}
	sqlDB.SetMaxOpenConns(0)
	if r, err = startup.ApplyGORM(ctx, gdb); err != nil {
		t.Fatal(err)
	}
	if !r.UpToDate() || r.Current != "20261130042120" {
		t.Fatalf("after ApplyGORM: %s", r)
	}
}
