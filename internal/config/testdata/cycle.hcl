locals {
  a = "${local.b}/x"
  b = "${local.a}/y"
}

env "local" {
  url = "sqlite://${local.a}"
}
