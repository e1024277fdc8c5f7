env "local" {
  url    = "sqlite://local.db"
  schema = "main"
  migration {
    dir    = "file://migrations"
    format = "atlas"
  }
  schemas = ["main"]
}
