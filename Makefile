# structmigrate: GORM structs -> reviewed Atlas-format migrations -> SQLite.
GO           ?= go
STORAGE_PATH ?= ./storage/players-sqlite3.db
export CGO_ENABLED = 0
export STORAGE_PATH

RUN = $(GO) run .

.PHONY: migrate migrate-lint migrate-rollback migrate-apply migrate-diff migrate-status migrate-new migrate-hash migrate-check schema build test

## migrate: create or upgrade $(STORAGE_PATH) to the latest migration
migrate: migrate-apply

migrate-apply:
	$(RUN) apply

## migrate-diff name=add_x: generate the next migration from the structs
migrate-diff:
	@test -n "$(name)" || { echo "usage: make migrate-diff name=add_nickname" >&2; exit 1; }
	$(RUN) diff $(name)

## migrate-lint [base=REF | latest=N]: lint the directory as CI does (offline)
migrate-lint:
	$(RUN) lint $(if $(base),--base $(base)) $(if $(latest),--latest $(latest))

## migrate-check: fail when the structs and migrations/ are out of sync (CI)
migrate-check:
	$(RUN) diff --check

## migrate-rollback [to=VERSION]: undo the last version (or every version after VERSION)
migrate-rollback:
	$(RUN) rollback $(if $(to),--to $(to))

migrate-status:
	$(RUN) status

## migrate-new name=backfill_x: empty migration for hand-written SQL
migrate-new:
	@test -n "$(name)" || { echo "usage: make migrate-new name=backfill_nicknames" >&2; exit 1; }
	$(RUN) new $(name)

## migrate-hash: re-hash migrations/atlas.sum after a reviewed hand edit
migrate-hash:
	$(RUN) hash

schema:
	@$(RUN) schema

build:
	$(GO) build -trimpath -o bin/structmigrate .

test:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt needed" >&2; exit 1; }
	$(GO) vet ./...
	$(GO) test ./...

## test-template: in a copy of the repository, replace the sample models and history as
## docs/getting-started.md says (its shell blocks, run as written) and run the suite there
.PHONY: test-template
test-template:
	.ci/template-swap

## bench [BENCHFLAGS='-runs 9 -big-runs 7']: Go benchmarks, then the end-to-end CLI benchmarks
## (go run ./bench: data and binaries in bench/out/) -> docs/benchmarks.md. A failing or absent
## Go benchmark does not stop it; its exit status is recorded in the report.
.PHONY: bench
bench:
	@mkdir -p bench/out
	@{ $(GO) test -run '^$$' -bench . -benchmem ./... 2>&1; echo "go test exit status: $$?"; } | tee bench/out/gobench.txt
	$(GO) run ./bench $(BENCHFLAGS)

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

## fuzz-evolution [duration=10m] [seed=N] [seq=SEED steps=N] [FUZZFLAGS='-seqs 40 -rows 5 -v']:
## the long evolution test (internal/evolve, docs/reliability.md): random model edits over random
## data, each step through diff, apply, rollback, apply, until the duration is spent. The first
## failure of each class is shrunk into internal/testmodels/evo_*.go + testdata/evolve/*.txtar.
## seq= runs one sequence again, by the seed a failure prints.
.PHONY: fuzz-evolution
fuzz-evolution:
	$(GO) run ./internal/evolve/fuzz $(if $(duration),-duration $(duration)) $(if $(seed),-seed $(seed)) $(if $(seq),-seq $(seq)) $(if $(steps),-steps $(steps)) $(FUZZFLAGS)
