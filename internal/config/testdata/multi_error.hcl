env "local" {
  url    = "sqlite://local.db"
  schema = "main"
  migration {
    dir    = "file://migrations"
    format = "atlas"
  }
  exclude = ["atlas_schema_revisions"]
}
