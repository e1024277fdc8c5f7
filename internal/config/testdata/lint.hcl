# The Atlas CLI's lint block, top-level and per env.
lint {
  git {
    base = "main"
  }
  destructive {
    error = false
  }
  data_depend {
    error = true
  }
}

env "inherits" {
  url = "sqlite://a.db"
}

env "own" {
  url     = "sqlite://b.db"
  exclude = ["audit_log", "tmp_*"]
  lint {
    latest = 2
    incompatible {
      error = getenv("STRICT") != ""
    }
  }
}
