locals {
  resource_prefix = { value = "terragoat" }
}
