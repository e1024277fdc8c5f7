env "local" {
  url = "sqlite://local.db"
}

env "other" {
  url = "sqlite://${local.nope}"
}
