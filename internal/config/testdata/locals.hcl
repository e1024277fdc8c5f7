# Locals in two blocks, referencing each other out of order, and getenv.
locals {
  db_file = "${local.db_dir}/${local.db_name}.db"
  db_name = getenv("DB_NAME") != "" ? getenv("DB_NAME") : "app"
}

locals {
  db_dir  = getenv("DB_DIR") != "" ? getenv("DB_DIR") : "./var"
  dev_url = "sqlite://dev?mode=memory"
  version = 20240101000000
}

env "dev" {
  url = "sqlite://${local.db_file}?_fk=1"
  dev = local.dev_url
  migration {
    dir      = "file://db/migrations"
    baseline = local.version
  }
}

env "bare" {
}

env "abs" {
  url = "sqlite:///tmp/abs.db"
}

env "two_vars" {
  url = "sqlite://${getenv("A_DIR")}${getenv("B_FILE")}"
}

env "no_vars" {
  url = "sqlite://?_fk=1"
}

# Issue 11 item 9: an unset variable inside a url would name another file.
env "in_path" {
  url = "sqlite://${getenv("NOPE")}/players.db"
}

env "via_local" {
  url = "sqlite://./storage/${local.tenant}.db"
}

locals {
  tenant = getenv("TENANT")
}

env "in_dir" {
  url = "sqlite://app.db"
  migration {
    dir = "file://${getenv("MIGRATIONS")}"
  }
}
