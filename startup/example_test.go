package startup_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	_ "github.com/glebarez/go-sqlite" // the "sqlite" database/sql driver
	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/startup"
)

// The app opens its database as usual, then, before serving, either applies
// the pending migrations (ApplyGORM) or only checks and refuses to start
// (CheckGORM) when deploys run the migrations as a separate step.
func Example() {
	tmp, err := os.MkdirTemp("", "startup-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "players-sqlite3.db") // in the app: os.Getenv("STORAGE_PATH")

	db, err := gorm.Open(sqlite.Open(path), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Check only: a health check, or a start-up that refuses a stale schema.
	report, err := startup.CheckGORM(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("up to date before:", report.UpToDate(), "- pending files:", len(report.Pending) > 0)

	// Or apply: the pending files run, each in a transaction, and the
	// report tells where the database stands after.
	// startup.WithLog(os.Stderr) prints each file and statement.
	report, err = startup.ApplyGORM(ctx, db)
	if err != nil {
		log.Fatal(err) // nothing of the failed file was committed
	}
	if !report.UpToDate() {
		log.Fatalf("schema: %s", report) // structs or database drift
	}
	fmt.Println("up to date after:", report.UpToDate())
	// Output:
	// up to date before: false - pending files: true
	// up to date after: true
}

// A readiness endpoint: 200 when the database is up to date, 503 with the
// report otherwise. Check opens its own read-only handle for each call.
func ExampleCheck() {
	tmp, err := os.MkdirTemp("", "startup-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	db, err := sql.Open("sqlite", filepath.Join(tmp, "players-sqlite3.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	ready := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		report, err := startup.Check(r.Context(), db)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case !report.UpToDate():
			http.Error(w, report.String(), http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, report)
		}
	})

	probe := func() {
		rec := httptest.NewRecorder()
		ready.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		fmt.Println(rec.Code, http.StatusText(rec.Code))
	}
	probe()
	if _, err := startup.Apply(context.Background(), db); err != nil {
		log.Fatal(err)
	}
	probe()
	// Output:
	// 503 Service Unavailable
	// 200 OK
}
