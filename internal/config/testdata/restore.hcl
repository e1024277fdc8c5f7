# restore_points blocks (the Atlas CLI keeps an env's unknown blocks).
env "set" {
  url = "sqlite://app.db"
  restore_points {
    dir      = "${getenv("BACKUPS")}/app"
    keep     = 3
    max_size = "1.5GB"
  }
}

env "bytes" {
  url = "sqlite://app.db"
  restore_points {
    max_size = 4096
  }
}
