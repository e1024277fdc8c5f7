package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/internal/testmodels"
	"github.com/structmigrate/structmigrate/migrator"
)

// TestMain lets testscript run the real CLI in-process: "structmigrate" has
// the app's models, "structmigrate-<set>" an edited variant from testmodels.
func TestMain(m *testing.M) {
	cmds := map[string]func(){
		"structmigrate": func() { migrator.Main(program()) }, // as main does
		"sqlhold":       func() { os.Exit(sqlHold()) },
		// cmd/structmigrate: no models compiled in, --models loads them.
		"cmd-structmigrate": cmdStructmigrate,
	}
	for name, models := range testmodels.Sets {
		p := program()
		p.Models = models
		p.GormConfig = testmodels.Configs[name]
		p.Desired = testmodels.Desired[name]
		cmds["structmigrate-"+name] = func() { migrator.Main(p) }
	}
	// The PostgreSQL tests' throwaway cluster, if one was started, stops
	// when the tests end.
	testscript.Main(pgtest.Wrap(m), cmds)
}

func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs("testdata/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("REPO", repo)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "tmpfs" { // the tmpfs command can mount one here
				return canMountTmpfs(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sqlq":        cmdSQL,
			"waitfile":    cmdWaitFile,
			"waitbigger":  cmdWaitBigger,
			"hotjournal":  cmdHotJournal,
			"automigrate": cmdAutoMigrate,
			"sqldump":     cmdSQLDump,
			"tmpfs":       cmdTmpfs,
		},
	})
}

// TestEvolveRegressions replays the reproductions the evolution test wrote
// (make fuzz-evolution, internal/evolve): each is a shrunk sequence of model
// edits and rows that once broke a data-safety invariant, and checks that
// invariant. Their models are internal/testmodels/evo_*.go.
func TestEvolveRegressions(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:  "testdata/evolve",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"sqlq": cmdSQL},
	})
}

// cmdSQL runs SQL on a database file: `sqlq DB QUERY` prints the rows, one
// per line with '|' between columns (NULL as "NULL"); `sqlq -exec DB STMT`
// executes a statement. It lets scripts check what the CLI did to the file.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	out := ts.Stdout() // resets stdout even when no row is printed
	exec := len(args) > 0 && args[0] == "-exec"
	if exec {
		args = args[1:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: sqlq [-exec] DB QUERY")
	}
	db, err := sqlitedb.OpenFile(ts.MkAbs(args[0]), false)
	ts.Check(err)
	defer db.Close()
	if exec {
		_, err := db.Exec(args[1])
		if neg {
			if err == nil {
				ts.Fatalf("statement succeeded unexpectedly")
			}
			return
		}
		ts.Check(err)
		return
	}
	rows, err := db.Query(args[1])
	if neg {
		if err == nil {
			rows.Close()
			ts.Fatalf("query succeeded unexpectedly")
		}
		return
	}
	ts.Check(err)
	defer rows.Close()
	cols, err := rows.Columns()
	ts.Check(err)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				cells[i] = "NULL"
			case []byte:
				cells[i] = string(v)
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		fmt.Fprintln(out, strings.Join(cells, "|"))
	}
	ts.Check(rows.Err())
}
