// Package lint checks a migration directory offline, for CI: integrity
// (atlas.sum, down/atlas.sum), a clean replay, structs in sync, Atlas's
// sqlcheck analyzers on the new files, reversibility of their down scripts,
// and a linear history.
package lint

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/structmigrate/structmigrate/internal/analyze"
	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Rules, and the codes of the checks that are ours (the analyzers use
// Atlas's DS…, MF…, LT…, BC…, CD… codes).
const (
	RuleIntegrity  = "integrity"
	RuleReplay     = "replay"
	RuleSync       = "sync"
	RuleAnalyzer   = "analyzer"
	RuleReversible = "reversible"
	RuleHistory    = "history"
	RuleReview     = "review"
	RuleData       = "data"
	RuleForeignKey = "foreign_key"
	RuleSchemaDoc  = "schema_doc"

	CodeChecksum      = "SM101" // atlas.sum does not match
	CodeDownChecksum  = "SM102" // down/atlas.sum does not match, or orphan down script
	CodeFileName      = "SM103" // a .sql file not named <version>_<name>.sql
	CodeReplay        = "SM201" // a statement fails on the dev database
	CodeOutOfSync     = "SM301" // the structs would generate a migration
	CodeIrreversible  = "SM401" // up then down does not return to the previous state
	CodeNonLinear     = "SM501" // a new file is not newer than the base
	CodeDupVersion    = "SM502" // two files share a version
	CodeMergedChanged = "SM503" // a file on the base was edited, renamed or deleted
	CodeUnconfirmed   = "SM601" // a generated backfill nobody confirmed
	CodeDataLoss      = "SM701" // measured: a new file loses rows or values the directory's files stored
	CodeUnenforceable = "SM801" // a foreign key SQLite cannot enforce (a warning)
	CodeStaleDoc      = "SM901" // docs/schema.md exists and is not the diagram of the structs
)

// Options configure a lint run. Exactly one of Base and Latest selects the
// new files; with neither, every file is new.
type Options struct {
	Dir    migdir.Dir
	Models []any  // nil skips the sync check
	Base   string // git ref
	Latest int
	// Error overrides, per Atlas analyzer name, whether its findings fail
	// the run (atlas.hcl: lint { destructive { error = false } }); the
	// others keep DefaultError.
	Error map[string]bool
	// Exclude lists Atlas glob patterns of tables no model owns, which
	// the sync check ignores (atlas.hcl: env { exclude = [...] }).
	Exclude []string
	// Desired is how the sync check builds the models' desired state
	// (their package's GORM config).
	Desired desired.Options
	// SchemaDoc is the generated diagram page (docs/schema.md): when the
	// file exists and Models are given, it must be what
	// `structmigrate schema --format mermaid --doc` prints now.
	SchemaDoc string
}

// Severities.
const (
	SeverityError   = "error"   // fails the run unless excused
	SeverityWarning = "warning" // reported; does not fail the run
)

// DefaultError tells, per Atlas analyzer, whether its findings are errors
// by default: the Atlas CLI's defaults (only destructive changes fail).
// Our own rules (SM…) are always errors.
var DefaultError = map[string]bool{
	"destructive":  true,
	"data_depend":  false,
	"incompatible": false,
	"condrop":      false,
}

// Diagnostic is one finding. The JSON form is stable (docs/ci.md).
type Diagnostic struct {
	Rule     string `json:"rule"`
	Code     string `json:"code"`
	File     string `json:"file"` // path, as given by the directory
	Line     int    `json:"line,omitempty"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Analyzer string `json:"analyzer,omitempty"`
	Severity string `json:"severity"` // error or warning
	Excused  bool   `json:"excused"`  // by an -- atlas:nolint directive
	SQL      string `json:"sql,omitempty"`
}

// Report is the result of a run.
type Report struct {
	Dir         string       `json:"dir"`
	NewFiles    []string     `json:"new_files"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Errors      int          `json:"errors"`   // errors not excused: non-zero fails the run
	Warnings    int          `json:"warnings"` // warnings not excused
	Excused     int          `json:"excused"`  // diagnostics excused by nolint
}

func (r *Report) Add(d Diagnostic) {
	if d.Hint == "" {
		d.Hint = hints[d.Code]
	}
	if d.Severity == "" {
		d.Severity = SeverityError
	}
	r.Diagnostics = append(r.Diagnostics, d)
	switch {
	case d.Excused:
		r.Excused++
	case d.Severity == SeverityWarning:
		r.Warnings++
	default:
		r.Errors++
	}
}

// Run lints the directory. Findings go in the report; an error means the
// lint itself could not run.
func Run(ctx context.Context, o Options) (*Report, error) {
	r, sel, err := Start(o)
	if err != nil || sel == nil {
		return r, err
	}
	// The structs' schema, built once for the diagram page and the sync
	// check (AutoMigrate in memory and an inspection each time).
	var want *schema.Schema
	if o.Models != nil {
		if want, err = o.Desired.Schema(ctx, o.Models...); err != nil {
			return nil, err
		}
	}
	if err := schemaDoc(o, want, r); err != nil {
		return nil, err
	}
	if err := sel.Review(o, r); err != nil {
		return nil, err
	}
	files, isNew := sel.Files, sel.IsNew
	current, err := plan.State(ctx, o.Dir, "")
	var se *migdir.StmtError
	switch {
	case errors.As(err, &se):
		r.AddReplay(se)
		return r, nil
	case err != nil:
		return nil, err
	}
	if err := sync(ctx, o, want, r); err != nil {
		return nil, err
	}
	if err := analyzers(ctx, o, files, isNew, r); err != nil {
		return nil, err
	}
	if err := reversible(ctx, o.Dir, sel.Down, files, isNew, r); err != nil {
		return nil, err
	}
	if err := measured(ctx, o.Dir, files, isNew, r); err != nil {
		return nil, err
	}
	if err := unenforceable(ctx, o.Dir, files, isNew, current, r); err != nil {
		return nil, err
	}
	r.Sort()
	return r, nil
}

// Selection is the directory's files, in order, and those under review.
type Selection struct {
	Files []migrate.File
	IsNew map[string]bool // by file name
	Down  *migdir.Down    // the down scripts, validated against Files
}

// Start runs the checks every dialect shares that read the directory
// alone: integrity, the selection of new files, a linear history. A nil
// Selection means the directory cannot be used (the report says why) and
// the run stops there.
func Start(o Options) (*Report, *Selection, error) {
	r := &Report{Dir: o.Dir.Path(), NewFiles: []string{}, Diagnostics: []Diagnostic{}}
	down, intact := integrity(o.Dir, r)
	files, err := o.Dir.Files()
	if err != nil {
		return nil, nil, err
	}
	isNew, baseVersions, err := newFiles(o, files)
	if err != nil {
		return nil, nil, err
	}
	if !intact {
		// The executor refuses a tampered directory: stop here, but say
		// whether the change touches a file the base already holds (a
		// re-hash would not fix that).
		if err := merged(o, files, isNew, r); err != nil {
			return nil, nil, err
		}
		return r, nil, nil
	}
	for _, f := range files {
		if isNew[f.Name()] {
			r.NewFiles = append(r.NewFiles, f.Name())
		}
	}
	history(o.Dir, files, isNew, baseVersions, r)
	return r, &Selection{Files: files, IsNew: isNew, Down: down}, nil
}

// Review reports the base's files that changed since it (--base) and the
// generated backfills nobody confirmed.
func (s *Selection) Review(o Options, r *Report) error {
	if err := merged(o, s.Files, s.IsNew, r); err != nil {
		return err
	}
	for _, f := range s.Files {
		if n := plan.Unconfirmed(f); n > 0 {
			r.Add(Diagnostic{Rule: RuleReview, Code: CodeUnconfirmed, File: filepath.Join(o.Dir.Path(), f.Name()), Line: n,
				Message: "unconfirmed backfill: the value it writes into existing rows has not been reviewed"})
		}
	}
	return nil
}

// AddReplay reports the statement that failed on the dev database; the
// run stops there (what follows would be measured on a partial state).
func (r *Report) AddReplay(se *migdir.StmtError) {
	r.Add(Diagnostic{Rule: RuleReplay, Code: CodeReplay, File: se.Path, Line: se.Line,
		Message: fmt.Sprintf("statement fails on a fresh database: %v", migdir.Explain(se.Err)), SQL: migdir.OneLine(se.Stmt, 200)})
}

// AddOutOfSync reports the migration diff would write now (its SQL), with
// hint ("": the default one).
func (r *Report) AddOutOfSync(dir string, sql []byte, hint string) {
	r.Add(Diagnostic{Rule: RuleSync, Code: CodeOutOfSync, File: dir, Hint: hint,
		Message: "the structs and the migration directory are out of sync: diff would generate a migration",
		SQL:     string(sql)})
}

// Sort orders the diagnostics by file and line, keeping the order of
// those at the same place.
func (r *Report) Sort() {
	sort.SliceStable(r.Diagnostics, func(i, j int) bool {
		a, b := r.Diagnostics[i], r.Diagnostics[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// integrity checks both sums; it reports whether the directory can be
// used, and returns its down scripts once validated.
func integrity(dir migdir.Dir, r *Report) (*migdir.Down, bool) {
	ok := true
	report := func(code string, err error) {
		d := Diagnostic{Rule: RuleIntegrity, Code: code, Message: err.Error()}
		var ce *migdir.ChecksumError
		if errors.As(err, &ce) {
			d.File = filepath.Join(ce.Dir, migdir.SumFile)
			var me *migrate.ChecksumError
			if errors.As(ce.Err, &me) {
				d.Line = me.Line
			}
		} else {
			d.File = filepath.Join(dir.Path(), migdir.DownDirName)
		}
		r.Add(d)
		ok = false
	}
	var ne *migdir.NameError
	if err := migdir.Validate(dir); errors.As(err, &ne) {
		r.Add(Diagnostic{Rule: RuleIntegrity, Code: CodeFileName, Message: err.Error(), File: ne.Path})
		return nil, false
	} else if err != nil {
		report(CodeChecksum, err)
	}
	down, err := migdir.OpenValid(dir)
	if err != nil {
		report(CodeDownChecksum, err)
	}
	return down, ok
}

// sync reports the migration `diff` would write now for want, the
// structs' schema (nil: no structs to check).
func sync(ctx context.Context, o Options, want *schema.Schema, r *Report) error {
	if want == nil {
		return nil
	}
	hints, err := o.Desired.Hints(o.Models...)
	if err != nil {
		return err
	}
	res, err := plan.Next(ctx, o.Dir, plan.Input{Desired: want, Version: "next", Name: "pending", Renames: hints, Backfill: true, Exclude: o.Exclude})
	var re *plan.ReplayError
	if errors.As(err, &re) { // out of sync, and diff cannot write the file the structs need
		r.Add(Diagnostic{Rule: RuleSync, Code: CodeOutOfSync, File: o.Dir.Path(),
			Message: "the structs and the migration directory are out of sync, but diff refuses the migration they need: it " + re.Reason(),
			Hint:    "diff refuses to write it: fix the rows an earlier migration inserts (in a new migration), or change the struct"})
		return nil
	}
	if err != nil || res == nil {
		return err
	}
	r.AddOutOfSync(o.Dir.Path(), res.File.Bytes(), "")
	return nil
}

// analyzers runs Atlas's SQLite analyzers on the new files.
func analyzers(ctx context.Context, o Options, files []migrate.File, isNew map[string]bool, r *Report) error {
	dir := o.Dir
	first := -1
	for i, f := range files {
		if isNew[f.Name()] {
			first = i
			break
		}
	}
	if first == -1 {
		return nil
	}
	sess, err := analyze.Load(ctx, dir, files[:first], files[first:])
	if err != nil {
		return err
	}
	defer sess.Close()
	azs, err := sqlcheck.AnalyzerFor("sqlite", nil)
	if err != nil {
		return err
	}
	var news []*sqlcheck.File
	for _, f := range sess.Files {
		if isNew[f.Name()] {
			news = append(news, f)
		}
	}
	// azs[0] merges table copies; analyze.Load ran it.
	return Analyze(ctx, o, news, sess.Dev, azs[1:], r)
}

// Analyze runs Atlas's analyzers azs on the files (each statement's
// schema changes recorded on dev), with the severities of o.Error, and
// reports their findings, excused where an `-- atlas:nolint` says so.
func Analyze(ctx context.Context, o Options, files []*sqlcheck.File, dev *sqlclient.Client, azs []sqlcheck.Analyzer, r *Report) error {
	for _, f := range files {
		path := filepath.Join(o.Dir.Path(), f.Name())
		for _, az := range azs {
			name := ""
			if na, ok := az.(sqlcheck.NamedAnalyzer); ok {
				name = na.Name()
			}
			severity := SeverityWarning
			if isErr, ok := o.Error[name]; ok && isErr || !ok && DefaultError[name] {
				severity = SeverityError
			}
			var reported bool
			err := az.Analyze(ctx, &sqlcheck.Pass{File: f, Dev: dev, Reporter: sqlcheck.ReportWriterFunc(func(rep sqlcheck.Report) {
				for _, d := range rep.Diagnostics {
					reported = true
					stmts := stmtsAt(f, d.Pos)
					r.Add(Diagnostic{
						Rule: RuleAnalyzer, Code: d.Code, File: path, Line: migdir.Line(f.Bytes(), d.Pos),
						Message: d.Text, Analyzer: name, Severity: severity, Excused: analyze.Nolint(f.File, stmts, d.Code, name),
					})
				}
			})})
			if err != nil && !reported { // an analyzer set to "error" returns one with its reports
				return fmt.Errorf("%s: analyzer %s: %w", path, name, err)
			}
		}
	}
	return nil
}

// reversible checks that each new file with a down script returns, up then
// down, to exactly the state before it.
func reversible(ctx context.Context, dir migdir.Dir, down *migdir.Down, files []migrate.File, isNew map[string]bool, r *Report) error {
	for i, f := range files {
		ds, ok := down.Script(f.Name())
		if !isNew[f.Name()] || !ok {
			continue
		}
		before := schema.New("main")
		if i > 0 {
			var err error
			if before, err = plan.State(ctx, dir, files[i-1].Version()); err != nil {
				return err
			}
		}
		after, serr, err := upDown(ctx, dir, down, files[:i+1], ds)
		if err != nil {
			return err
		}
		path := filepath.Join(down.Path(), ds.Name())
		if serr != nil {
			r.AddDownFails(serr)
			continue
		}
		dev, err := sqlitedb.OpenDev()
		if err != nil {
			return err
		}
		changes, err := plan.Diff(dev.Driver, after, before)
		if err == nil && len(changes) > 0 {
			var p *migrate.Plan
			if p, err = plan.PlanChanges(ctx, dev.Driver, "rest", changes); err == nil {
				var sql []string
				for _, c := range p.Changes {
					sql = append(sql, c.Cmd)
				}
				r.AddIrreversible(path, f.Name(), sql)
			}
		}
		dev.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// AddDownFails reports a down script whose statement fails when it runs
// right after its up file (rule 5), on either engine.
func (r *Report) AddDownFails(se *migdir.StmtError) {
	r.Add(Diagnostic{Rule: RuleReversible, Code: CodeIrreversible, File: se.Path, Line: se.Line,
		Message: fmt.Sprintf("down script fails after its up file: %v", se.Err), SQL: migdir.OneLine(se.Stmt, 200)})
}

// AddIrreversible reports the down script at path that does not take the
// schema back to the state before its up file, with the SQL that still
// would (rule 5), on either engine.
func (r *Report) AddIrreversible(path, up string, sql []string) {
	var text string
	for _, s := range sql {
		text += s + ";\n"
	}
	r.Add(Diagnostic{Rule: RuleReversible, Code: CodeIrreversible, File: path, Line: 1,
		Message: fmt.Sprintf("up then down does not return to the state before %s", up), SQL: text})
}

// upDown executes files then the down script on a fresh dev database and
// returns the resulting schema, or the statement that failed.
func upDown(ctx context.Context, dir migdir.Dir, down *migdir.Down, files []migrate.File, ds migrate.File) (*schema.Schema, *migdir.StmtError, error) {
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, nil, err
	}
	defer dev.Close()
	run := func(d migdir.Dir, f migrate.File) (*migdir.StmtError, error) {
		err := runfile.Replay(ctx, dev.DB, f, filepath.Join(d.Path(), f.Name()), "running", nil)
		if se := (*migdir.StmtError)(nil); errors.As(err, &se) {
			return se, nil
		}
		return nil, err
	}
	for _, f := range files {
		if se, err := run(dir, f); se != nil || err != nil {
			return nil, se, err
		}
	}
	if se, err := run(down.Dir, ds); se != nil || err != nil {
		return nil, se, err
	}
	s, err := objects.Inspect(ctx, dev.Driver, nil)
	return s, nil, err
}

// stmtsAt returns the statements of the change a diagnostic points at (a
// merged table copy spans several), for their nolint directives.
func stmtsAt(f *sqlcheck.File, pos int) []*migrate.Stmt {
	for _, c := range f.Changes {
		if c.Stmt.Pos == pos {
			return analyze.Stmts(f, c)
		}
	}
	if st := analyze.Stmt(f, pos); st != nil {
		return []*migrate.Stmt{st}
	}
	return nil
}
