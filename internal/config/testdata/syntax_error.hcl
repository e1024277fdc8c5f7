env "local" {
  url = "sqlite://local.db"
  dev = 
}
