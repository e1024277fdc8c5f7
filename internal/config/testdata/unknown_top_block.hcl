variable "url" {
  type = string
}

env "local" {
  url = "sqlite://local.db"
}
