env "local" {
  url = "sqlite://local.db"
  migration {
    dir = "file://migrations"
    lint {
      destructive = false
    }
  }
}
