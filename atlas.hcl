# Shared by structmigrate and the official Atlas CLI (`atlas migrate apply --env local`).
# The migration directory is in the Atlas format; migrations/atlas.sum guards it.
# structmigrate reads a subset of the project-file syntax (docs/configuration.md):
# locals, data "external_schema", lint, and env blocks with url, dev, src, exclude,
# migration { dir, baseline }, lint and restore_points. Anything else is an error.

locals {
  # The database file: $STORAGE_PATH when set, as for `structmigrate --db`.
  storage_path = getenv("STORAGE_PATH") != "" ? getenv("STORAGE_PATH") : "./storage/players-sqlite3.db"
}

# The desired schema: the DDL GORM creates for the structs in schema/,
# printed by `structmigrate schema` (no database touched).
data "external_schema" "gorm" {
  program = ["go", "run", "-mod=mod", ".", "schema"]
}

# Development: storage/players-sqlite3.db, or $STORAGE_PATH when set.
# Migrations are replayed on an in-memory dev database, never on this file.
env "local" {
  url = "sqlite://${local.storage_path}"
  dev = "sqlite://dev?mode=memory"
  migration {
    dir = "file://migrations"
  }
}

# CI: a throwaway in-memory database (the Atlas CLI still writes its temp-dir lock).
env "ci" {
  url = "sqlite://ci?mode=memory"
  dev = "sqlite://dev?mode=memory"
  migration {
    dir = "file://migrations"
  }
}

# Production: the file named by $STORAGE_PATH, which must be set (there is no
# default, so a missing variable is an error rather than a new empty database).
# Unset, the url names no driver, so the Atlas CLI refuses it too (unknown
# driver "storage-path-not-set") instead of creating a file named "sqlite:".
# Only applies migrations, so it needs no dev database.
env "prod" {
  url = getenv("STORAGE_PATH") != "" ? "sqlite://${getenv("STORAGE_PATH")}" : "storage-path-not-set://"
  migration {
    dir = "file://migrations"
  }
}

# PostgreSQL: the database named by $DATABASE_URL, which must be set
# (postgres://user:password@host:5432/players?sslmode=disable). Its own history,
# generated from the same structs: migrations/postgres. structmigrate replays and
# diffs on a temporary database it creates on that server and drops afterwards;
# `atlas migrate apply --env pg` needs no dev database either.
env "pg" {
  url = getenv("DATABASE_URL")
  migration {
    dir = "file://migrations/postgres"
  }
}

# For the official CLI (its full build: the community build refuses external_schema):
# `atlas migrate diff --env gorm NAME` diffs the directory against the structs.
env "gorm" {
  src = data.external_schema.gorm.url
  dev = "sqlite://dev?mode=memory"
  migration {
    dir = "file://migrations"
  }
}
