# A project file without env blocks.
locals {
  x = "y"
}
