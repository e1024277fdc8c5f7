# Shared by structmigrate and the official Atlas CLI (`atlas migrate apply --env local`).
# The migration directory is in the Atlas format; migrations/atlas.sum guards it.

locals {
  storage_path = getenv("STORAGE_PATH") != "" ? getenv("STORAGE_PATH") : "./storage/players-sqlite3.db"
}

env "local" {
  url = "sqlite://${local.storage_path}"
  dev = "sqlite://dev?mode=memory"
  migration {
    dir = "file://migrations"
  }
}

env "ci" {
  url = "sqlite://ci?mode=memory"
  dev = "sqlite://dev?mode=memory"
  migration {
    dir = "file://migrations"
  }
}
