locals {
  schema_url = data.external_schema.app.url
}

data "external_schema" "app" {
  program = ["go", "run", ".", local.cmd]
}

locals {
  cmd = "schema"
}

env "diff" {
  src = local.schema_url
  dev = "sqlite://dev?mode=memory"
}
