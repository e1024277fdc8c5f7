# structmigrate: GORM structs -> reviewed Atlas-format migrations -> SQLite.
GO           ?= go
STORAGE_PATH ?= ./storage/players-sqlite3.db
export CGO_ENABLED = 0
export STORAGE_PATH

RUN = $(GO) run .

# Bare `make` only lists the targets: it never touches a database.
.DEFAULT_GOAL := help

.PHONY: help migrate migrate-lint migrate-rollback migrate-apply migrate-diff migrate-status migrate-new migrate-hash migrate-check schema build test

## help: list these targets (the default goal)
# Each target is documented by the `## target args: text` comment block above
# it; a block's first line names the target, the next `##` lines continue it.
help:
	@awk -v storage='$(STORAGE_PATH)' '/^## / { line = substr($$0, 4); gsub(/\$$\(STORAGE_PATH\)/, storage, line); \
		if (prev ~ /^## /) { printf "%-38s %s\n", "", line } \
		else { i = index(line, ":"); t = substr(line, 1, i - 1); d = substr(line, i + 2); \
			if (length(t) > 36) { print "  " t; t = "" }; if (t != "" || d != "") printf "  %-36s %s\n", t, d } } \
		{ prev = $$0 }' $(firstword $(MAKEFILE_LIST))

## migrate: create or upgrade $(STORAGE_PATH) to the latest migration
migrate: migrate-apply

## migrate-apply: the same as migrate
migrate-apply:
	$(RUN) apply

## migrate-diff name=add_x: generate the next migration from the structs (and refresh docs/schema.md
## when it exists, which lint checks)
migrate-diff:
	@test -n "$(name)" || { echo "usage: make migrate-diff name=add_nickname" >&2; exit 1; }
	$(RUN) diff $(name)
	@if [ -f docs/schema.md ]; then $(MAKE) --no-print-directory schema-doc; fi

## migrate-lint [base=REF | latest=N]: lint the directory as CI does (offline)
migrate-lint:
	$(RUN) lint $(if $(base),--base $(base)) $(if $(latest),--latest $(latest))

## migrate-check: fail when the structs and migrations/ are out of sync (CI)
migrate-check:
	$(RUN) diff --check

## migrate-rollback [to=VERSION]: undo the last version (or every version after VERSION)
migrate-rollback:
	$(RUN) rollback $(if $(to),--to $(to))

## migrate-status: applied and pending files of $(STORAGE_PATH). Exit 0 when up to date
## or files are pending (the report says which); non-zero when status fails or finds drift
## (`structmigrate status` itself exits 2 pending, 3 structs drift, 4 database drift, 5 no replay).
# A built binary, not `go run` (which turns every non-zero exit into 1 and
# prints "exit status N"): pending is the usual state before `make migrate`,
# not a make error; drift and failures keep the tool's code in make's message.
migrate-status:
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && $(GO) build -o "$$d/structmigrate" . || exit 1; \
	"$$d/structmigrate" status; rc=$$?; [ $$rc -eq 2 ] && rc=0; exit $$rc

## migrate-new name=backfill_x: empty migration for hand-written SQL
migrate-new:
	@test -n "$(name)" || { echo "usage: make migrate-new name=backfill_nicknames" >&2; exit 1; }
	$(RUN) new $(name)

## migrate-hash: re-hash migrations/atlas.sum after a reviewed hand edit
migrate-hash:
	$(RUN) hash

## schema: print the SQL schema the structs describe (what AutoMigrate creates)
schema:
	@$(RUN) schema

## schema-doc: regenerate docs/schema.md, the Mermaid diagram of the structs (lint's SM901 fails when it is stale)
.PHONY: schema-doc
schema-doc:
	@$(RUN) schema --format mermaid --doc > docs/schema.md.tmp && mv docs/schema.md.tmp docs/schema.md || { rm -f docs/schema.md.tmp; exit 1; }

## build: bin/structmigrate
build:
	$(GO) build -trimpath -o bin/structmigrate .

## test: gofmt, go vet and every test; the PostgreSQL suite runs on $STRUCTMIGRATE_TEST_POSTGRES or, when
## PostgreSQL's binaries are installed, on a throwaway cluster (else, or with STRUCTMIGRATE_TEST_POSTGRES=off, it is
## skipped, and this says why)
test:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt needed" >&2; exit 1; }
	$(GO) vet ./...
	@$(GO) run ./internal/pgtest/pgsuite
	$(GO) test -timeout 20m ./...

## test-template: in a copy of the repository, replace the sample models and history as
## docs/getting-started.md says (its shell blocks, run as written) and run the suite there
.PHONY: test-template
test-template:
	.ci/template-swap

## test-mermaid: parse every diagram the renderer draws (fixtures, random schemas with odd names, diff pictures)
## with Mermaid's own parsers (11 and 10): npm's mermaid and jsdom as pinned in internal/erd/testdata/mermaid, installed
## once into $(MERMAID_CACHE) (not the repository); needs node and npm
MERMAID_CACHE ?= $(or $(TMPDIR),/tmp)/structmigrate-mermaid
.PHONY: test-mermaid
test-mermaid:
	@mkdir -p "$(MERMAID_CACHE)"
	@cmp -s internal/erd/testdata/mermaid/package-lock.json "$(MERMAID_CACHE)/package-lock.json" && [ -d "$(MERMAID_CACHE)/node_modules/mermaid" ] || \
		{ cp internal/erd/testdata/mermaid/package.json internal/erd/testdata/mermaid/package-lock.json "$(MERMAID_CACHE)/" && \
		  cd "$(MERMAID_CACHE)" && npm ci --no-audit --no-fund --loglevel=error; }
	STRUCTMIGRATE_TEST_MERMAID="$(MERMAID_CACHE)" $(GO) test -count=1 -run 'Mermaid' ./internal/erd

## test-provider: models written for atlas-provider-gorm (views, triggers) through the loader and
## init's main (TestProvider); fetches the provider v0.6.0 and its dependencies from the Go proxy
.PHONY: test-provider
test-provider:
	STRUCTMIGRATE_TEST_PROVIDER=1 $(GO) test -count=1 -run '^TestProvider$$' .

## bench [BENCHFLAGS='-runs 9 -big-runs 7']: Go benchmarks, then the end-to-end CLI benchmarks
## (go run ./bench: data and binaries in bench/out/) -> docs/benchmarks.md. A failing or absent
## Go benchmark does not stop it; its exit status is recorded in the report. `go run ./bench -only-big`
## measures just the 1M-row rebuild against the baseline binary (report: bench/out/big.md).
.PHONY: bench
bench:
	@mkdir -p bench/out
	@{ $(GO) test -run '^$$' -bench . -benchmem ./... 2>&1; echo "go test exit status: $$?"; } | tee bench/out/gobench.txt
	$(GO) run ./bench $(BENCHFLAGS)

## reliability [seed=N]: the long fault harness (internal/reliability, docs/reliability.md):
## hundreds of SIGKILLs during apply and rollback of a 100k-row rebuild, a full disk, a file-size
## limit, a busy writer, crashed-journal databases, concurrent applies. `make test` runs its short
## mode. The children never inherit STORAGE_PATH (they name their database with --db).
.PHONY: reliability
reliability:
	STRUCTMIGRATE_RELIABILITY=long $(if $(seed),STRUCTMIGRATE_RELIABILITY_SEED=$(seed)) $(GO) test -count=1 -timeout 3h -v -run . ./internal/reliability

## fuzz [FUZZTIME=30s]: the Go fuzz targets, each for FUZZTIME: atlas.sum parsing and
## migration file names and directives (internal/migdir), atlas.hcl loading
## (internal/config). Their seed corpora (testdata/fuzz/<target>) run in `make test`;
## a failing input go writes to testdata/fuzz is committed with its fix.
FUZZTIME ?= 30s
FUZZ_TARGETS = ./internal/migdir:FuzzSumFile ./internal/migdir:FuzzFile ./internal/config:FuzzLoad
.PHONY: fuzz
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; \
	done

## fuzz-evolution [duration=5m | total=10000] [seed=N] [seq=SEED steps=N] [FUZZFLAGS='-seqs 40 -rows 5 -v']:
## the long evolution test (internal/evolve, docs/reliability.md): random model edits over random
## data, each step through diff, apply, rollback, apply, until the duration is spent (default 5m)
## or, with total=, until that many steps ran; prints sequences, steps and failures per batch and
## in all. The first failure of each class is shrunk into internal/testmodels/evo_*.go +
## testdata/evolve/*.txtar. seq= runs one sequence again, by the seed a failure prints (steps=
## is the number of edits per sequence, 12 by default, as when it was found).
.PHONY: fuzz-evolution
fuzz-evolution:
	$(GO) run ./internal/evolve/fuzz $(if $(duration),-duration $(duration)) $(if $(total),-total $(total)) $(if $(seed),-seed $(seed)) $(if $(seq),-seq $(seq)) $(if $(steps),-steps $(steps)) $(FUZZFLAGS)
