env "local" {
  url = "sqlite://a.db"
}

env "local" {
  url = "sqlite://b.db"
}
