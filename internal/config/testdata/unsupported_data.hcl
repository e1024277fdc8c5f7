data "sql" "tenants" {
  url   = "sqlite://tenants.db"
  query = "SELECT name FROM tenants"
}

env "local" {
  url = "sqlite://local.db"
}
