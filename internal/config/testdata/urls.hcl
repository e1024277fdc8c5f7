env "postgres" {
  url = "postgres://localhost:5432/app"
}

env "good_dir" {
  url = "sqlite://good.db"
  migration {
    dir = "file://db/migrations"
  }
}

env "atlas_dir" {
  url = "sqlite://good.db"
  migration {
    dir = "atlas://app"
  }
}

env "plain_dir" {
  url = "sqlite://good.db"
  migration {
    dir = "migrations"
  }
}

env "bad_query" {
  url = "sqlite://x.db?mode=%zz"
}

env "mysql" {
  url = "mysql://localhost:3306/app"
}

env "pg_search_path" {
  url = "postgres://u:secret@localhost/app?search_path=public"
}

env "pg_no_host" {
  url = "postgres:///app"
}
