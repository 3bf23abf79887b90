resource "azurerm_resource_group" "example" {
  name     = "terragoat"
  location = "West Europe"
}
