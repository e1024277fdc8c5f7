env "local" {
  url = "sqlite://local.db"
  migration {
    dir = "file://migrations"
  }
}

env "typo" {
  url = "sqlite://typo.db"
  foo = "bar"
}
